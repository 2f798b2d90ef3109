"""Formatting of time limits and fees for the catalogue pages."""

from decimal import Decimal

from django import template
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from hanoi_cchc.money import format_vnd

from ..models import TimeUnit

register = template.Library()


def _number(value) -> str:
    value = Decimal(value)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    # Vietnamese writes a decimal comma (0,5 ngày); English a decimal point.
    return text if (get_language() or "vi").startswith("en") else text.replace(".", ",")


def _durations(count: int, number: str) -> dict[str, str]:
    # ngettext so that English says "1 working day" but "5 working days".
    params = {"n": number}
    return {
        TimeUnit.WORKING_DAYS: ngettext("%(n)s ngày làm việc", "%(n)s ngày làm việc", count)
        % params,
        TimeUnit.CALENDAR_DAYS: ngettext("%(n)s ngày", "%(n)s ngày", count) % params,
        TimeUnit.WORKING_HOURS: ngettext("%(n)s giờ làm việc", "%(n)s giờ làm việc", count)
        % params,
        TimeUnit.MONTHS: ngettext("%(n)s tháng", "%(n)s tháng", count) % params,
    }


@register.simple_tag
def duration(value, unit) -> str:
    """``5`` + ``working_days`` → ``5 ngày làm việc``."""
    if value is None:
        return ""
    value = Decimal(value)
    count = int(value) if value == value.to_integral_value() else 2
    return _durations(count, _number(value)).get(unit, f"{_number(value)} {unit}")


@register.filter
def vnd(value) -> str:
    """``75000`` → ``75.000 đồng``; 0 → not charged."""
    if value is None:
        return _("Không quy định")
    if int(value) == 0:
        return _("Không thu phí, lệ phí")
    return format_vnd(value)


@register.filter
def money(value) -> str:
    """An amount already decided (a dossier's fee): ``75.000 đồng``, 0 → ``0 đồng``."""
    return format_vnd(value)


@register.filter
def lines(value) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


@register.filter
def split_semicolons(value) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]
