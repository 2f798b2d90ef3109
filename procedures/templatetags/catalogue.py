"""Formatting of time limits and fees for the catalogue pages."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from ..models import TimeUnit

register = template.Library()


def _number(value) -> str:
    value = Decimal(value)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


@register.simple_tag
def duration(value, unit) -> str:
    """``5`` + ``working_days`` → ``5 ngày làm việc``."""
    if value is None:
        return ""
    return f"{_number(value)} {TimeUnit(unit).label}"


@register.filter
def vnd(value) -> str:
    """``75000`` → ``75.000 đồng``; 0 → not charged."""
    if value is None:
        return _("Không quy định")
    value = int(value)
    if value == 0:
        return _("Không thu phí, lệ phí")
    return f"{value:,}".replace(",", ".") + " " + _("đồng")


@register.filter
def lines(value) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


@register.filter
def split_semicolons(value) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]
