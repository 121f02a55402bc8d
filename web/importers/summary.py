"""What every import reports (rows read, events stored, what was new or changed, the rejected
rows) and the progress bar it drives."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from web.importers.csvfiles import Reject


class ProgressBar(Protocol):
    def update(self, n_steps: int) -> None: ...


# Called with the number of rows to go through; click.progressbar(length=...) fits.
ProgressFactory = Callable[[int], AbstractContextManager[ProgressBar]]


class NoProgress:
    def update(self, n_steps: int) -> None:
        pass


@dataclass
class ImportSummary:
    rows_read: dict[str, int]  # by file
    events_stored: int = 0  # by a check (nothing saved): the events the import would store
    rejects: list[Reject] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)  # by kind (Customer, Product, User, Deal)
    changed: dict[str, int] = field(default_factory=dict)
    position: int | None = None  # the log position of the last event stored, if any
    skipped: list[Reject] = field(default_factory=list)  # rows left as they are on purpose, and why
    ignored_columns: list[str] = field(default_factory=list)  # read past, as asked
