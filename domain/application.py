"""``Touchline``: the one Application, one command per user action.

Commands take primitives and ids, explicit ``occurred_at`` (business time) and
``actor``, and return a ``Receipt``. Storage is chosen by the environment
(``PERSISTENCE_MODULE`` and friends); the default is in-memory, for tests.
"""

from __future__ import annotations

from domain.cases.commands import CaseCommands
from domain.customers.outreach import OutreachCommands
from domain.deals.commands import DealCommands
from domain.directory import DirectoryCommands
from domain.knowledge.commands import KnowledgeCommands
from domain.mail.commands import MailCommands
from domain.messages.commands import MessageCommands
from domain.promises.callbacks import CallbackCommands
from domain.promises.commands import PromiseCommands
from domain.sla.commands import SlaCommands
from domain.tokens.commands import TokenCommands
from domain.users.commands import UserPreferenceCommands
from domain.webhooks.commands import WebhookCommands


class Touchline(MailCommands, CaseCommands, PromiseCommands, CallbackCommands, DealCommands, DirectoryCommands,
                TokenCommands, SlaCommands, OutreachCommands, MessageCommands, UserPreferenceCommands,
                KnowledgeCommands, WebhookCommands):
    """Customer service and sales ledger: every change is an event."""
