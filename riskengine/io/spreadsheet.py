"""Cells written for spreadsheets (CSV outputs of batch: summaries and decision rows)."""
from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """A cell a spreadsheet will show as text, never run as a formula (OWASP "CSV injection"): a cell
    that starts with = + - @ tab or CR gets a leading apostrophe. Numbers are written as they are."""
    if text.startswith(_FORMULA_START):
        try:
            float(text)
            return text            # -3.5 is a number, not a formula
        except ValueError:
            return "'" + text
    return text
