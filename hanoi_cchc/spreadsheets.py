"""One guard for every CSV/XLSX cell the portal writes (CSV/formula injection).

A spreadsheet program evaluates a cell that starts with ``= + - @`` (and, in some
programs, a tab or carriage return before them) as a formula. Text cells that start so
are prefixed with an apostrophe, which spreadsheet programs show as plain text; numbers
stay numbers. Every export (disclosure, statistics, ledger, catalogue, admin) writes its
cells through ``safe_cell`` / ``safe_row``; the catalogue importer strips the apostrophe
again (``procedures.importers``).
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Return ``value`` so that no spreadsheet program evaluates it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable) -> list:
    """``safe_cell`` over one row."""
    return [safe_cell(value) for value in row]
