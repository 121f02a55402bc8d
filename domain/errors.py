"""The domain's error hierarchy: every rule violation is a ``DomainError``."""

from __future__ import annotations

from uuid import UUID


class DomainError(Exception):
    """A command broke a business rule; the message says which, for a person."""


class InvalidValueError(DomainError, ValueError):
    """A command argument has the wrong form; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFoundError(DomainError, LookupError):
    """No aggregate of that kind with that id (or natural key)."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key} not found")
        self.kind = kind
        self.key = key


class AlreadyExistsError(DomainError):
    """An aggregate with that natural key exists already."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key} already exists")
        self.kind = kind
        self.key = key


class ConflictError(DomainError):
    """Someone else changed the aggregate first; reload and try again."""

    def __init__(self, kind: str, label: str, aggregate_id: UUID) -> None:
        super().__init__(
            f"{kind} {label} was changed by someone else at the same time; "
            "reload it and try again"
        )
        self.kind = kind
        self.label = label
        self.aggregate_id = aggregate_id


class StaleVersionError(DomainError):
    """The caller acted on a version of the aggregate that is no longer current."""

    def __init__(self, kind: str, label: str, expected: int, actual: int) -> None:
        super().__init__(
            f"{kind} {label} is at version {actual}, not {expected}; reload it"
        )
        self.expected = expected
        self.actual = actual


class ItemError(DomainError):
    """One item of a command over several (a batch, all or none) broke a rule: ``error``
    is what it broke, ``index`` its place in the batch, counted from 0."""

    def __init__(self, index: int, error: DomainError) -> None:
        super().__init__(f"item {index}: {error}")
        self.index = index
        self.error = error
