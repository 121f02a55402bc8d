"""The records a contact or a promise is about: they exist and are the same customer's."""

from __future__ import annotations

from uuid import UUID

from domain.cases.model import Case
from domain.customers.commands import CustomerCommands
from domain.deals.model import Deal
from domain.errors import InvalidValueError
from domain.promises.model import Promise

LINKS = (("case_id", Case), ("deal_id", Deal), ("promise_id", Promise))


class LinkChecks(CustomerCommands):
    def check_links(self, customer_id: UUID, **links: UUID | None) -> None:
        """Each linked case, deal and promise exists and is this customer's (or a customer merged
        into them; a deal may be no one's yet): a link to another customer's case would show the
        record on their timeline and in their case's history. Raises ``NotFoundError`` (a record
        of that kind with that id does not exist) or ``InvalidValueError`` on the link's field."""
        for field, cls in LINKS:
            if (linked := links.get(field)) is None:
                continue
            owner = self._get(cls, linked).customer_id
            if owner is not None and owner != customer_id and self.survivor(owner) != self.survivor(customer_id):
                raise InvalidValueError(field, f"{cls.kind.lower()} {linked} is another customer's")
