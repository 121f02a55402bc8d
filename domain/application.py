"""``Touchline``: the one Application, one command per user action.

Commands take primitives and ids, explicit ``occurred_at`` (business time) and
``actor``, and return a ``Receipt``. Storage is chosen by the environment
(``PERSISTENCE_MODULE`` and friends); the default is in-memory, for tests.
"""

from __future__ import annotations

from domain.cases.commands import CaseCommands
from domain.deals.commands import DealCommands
from domain.directory import DirectoryCommands
from domain.messages.commands import MessageCommands
from domain.promises.commands import PromiseCommands
from domain.sla.commands import SlaCommands
from domain.tokens.commands import TokenCommands


class Touchline(CaseCommands, PromiseCommands, DealCommands, DirectoryCommands, TokenCommands, SlaCommands,
                MessageCommands):
    """Customer service and sales ledger: every change is an event."""
