"""One way to write an amount of money, on pages, PDFs and exports: ``75.000 đồng``.

Vietnamese groups thousands with dots (TCVN and every published fee table); the word
"đồng" is written out rather than "đ" or "VNĐ", as in the national catalogue's fee entries.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _


def format_vnd(amount: int | Decimal | None) -> str:
    """``75000`` → ``75.000 đồng``; None → "" (no amount set)."""
    if amount is None:
        return ""
    whole = int(Decimal(amount).to_integral_value())
    return f"{whole:,}".replace(",", ".") + " " + _("đồng")
