"""Reading CSV files for imports, and the report of rows an import rejected.

A file that cannot be read, or whose header is not exactly the expected column set, is
refused as a whole (``FileRefusedError``); a row that cannot be used becomes a ``Reject``
naming the file, its line number (the header is line 1) and the reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from projections.private_files import open_private
from web.spreadsheets import cell

REPORT_COLUMNS = ("file", "line", "reason", "raw")


class FileRefusedError(Exception):
    """A source file (or its directory) cannot be used at all; nothing of it is imported."""


@dataclass(frozen=True)
class CsvRow:
    file: str
    line: int
    values: dict[str, str]
    raw: str


@dataclass(frozen=True)
class Reject:
    file: str
    line: int
    reason: str
    raw: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


def reject(row: CsvRow, reason: str) -> Reject:
    return Reject(row.file, row.line, reason, row.raw)


class RowError(ValueError):
    """This row cannot be imported; the message says why."""


# Checks a file's header (its stripped column names) and returns the keys its rows are read
# under, or raises FileRefusedError naming the file.
HeaderCheck = Callable[[str, list[str]], list[str]]


def exactly(columns: Sequence[str]) -> HeaderCheck:
    """A header of exactly ``columns``, in any order, each once."""
    def check(file: str, names: list[str]) -> list[str]:
        check_columns(file, names, columns)
        return names
    return check


def read_rows(path: Path, columns: Sequence[str] | HeaderCheck) -> tuple[list[CsvRow], list[Reject]]:
    """The data rows of ``path`` and the rows with the wrong number of fields.

    Refuses the file when it cannot be read or its header differs from ``columns``
    (in any order), or is refused by the check given instead.
    """
    return parse_rows(path.name, read_file(path), columns)


def read_file(path: Path) -> bytes:
    """The file's bytes; ``FileRefusedError`` naming it when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FileRefusedError(f"{path.name}: cannot be read: {exc.strerror or exc}") from None


def parse_rows(file: str, data: bytes, columns: Sequence[str] | HeaderCheck, *,
               delimiters: str = ",") -> tuple[list[CsvRow], list[Reject]]:
    """``read_rows`` for a file's bytes (an upload): blank lines are skipped (before the header
    too), values stripped of surrounding spaces; line numbers count every line of the file. The
    delimiter is the one of ``delimiters`` the header uses most (Excel writes ``;`` in some
    countries). A quote that is never closed refuses the file: read leniently, it would take the
    rest of the file into one value, other people's rows included."""
    check = columns if callable(columns) else exactly(columns)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].count(b"\n") + 1  # where a person looks for it: the line
        raise FileRefusedError(f"{file}: cannot be read: not UTF-8 text on line {line} ({exc.reason} at byte "
                               f"{exc.start}); save the file as UTF-8 and import it again") from None
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = max(delimiters, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1  # where the record being read starts
    try:
        header = next((r for r in reader if any(f.strip() for f in r)), None)
        if header is None:
            raise FileRefusedError(f"{file}: is empty (no header row)")
        names = check(file, [name.strip() for name in header])
        rows: list[CsvRow] = []
        rejects: list[Reject] = []
        line = reader.line_num + 1
        for record in reader:
            if any(field.strip() for field in record):
                row = CsvRow(file, line, dict(zip(names, (f.strip() for f in record))), raw_text(record))
                if len(record) == len(names):
                    rows.append(row)
                else:
                    rejects.append(reject(row, f"has {len(record)} fields; the header has {len(names)}"))
            line = reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise FileRefusedError(f"{file}: line {line}: a quoted value starts on this line and is never closed "
                                   "(a \" is missing); nothing was read past it") from None
        raise FileRefusedError(f"{file}: line {reader.line_num}: not valid CSV: {exc}") from None
    return rows, rejects


def check_columns(file: str, names: Sequence[str], columns: Sequence[str]) -> None:
    """Refuse ``file`` unless its header ``names`` are exactly ``columns``, each once."""
    refuse_header(file, missing=[name for name in columns if name not in names],
                  unexpected=[name for name in names if name not in columns], names=names,
                  expected=f"expected: {', '.join(columns)}")


def refuse_header(file: str, *, missing: Sequence[str], unexpected: Sequence[str], names: Sequence[str],
                  expected: str) -> None:
    """Refuse ``file`` naming what is wrong with its header: columns missing, unexpected, or
    repeated among ``names``; ``expected`` says what it should hold."""
    repeated = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if unexpected:
        problems.append(f"unexpected {', '.join(repr(n) for n in unexpected)}")
    if repeated:
        problems.append(f"repeated {', '.join(repeated)}")
    if problems:
        raise FileRefusedError(f"{file}: wrong columns: {'; '.join(problems)} ({expected})")


def raw_text(record: Sequence[str]) -> str:
    """A record as one CSV line, as it would appear in the file."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(record)
    return out.getvalue()


def write_report(path: Path, rejects: Iterable[Reject]) -> None:
    """Write the reject report (file, line, reason, raw row) as CSV; header only when none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_private(path, newline="", encoding="utf-8") as out:  # customers' rows
        write_rows(out, rejects)


def write_rows(out: TextIO, rejects: Iterable[Reject]) -> None:
    """The reject report's rows, with its header, into ``out`` (opened with ``newline=""``)."""
    writer = csv.writer(out)
    writer.writerow(REPORT_COLUMNS)
    for r in rejects:
        writer.writerow((cell(r.file), r.line, cell(r.reason), cell(r.raw)))  # a file may be named =1+2.csv
