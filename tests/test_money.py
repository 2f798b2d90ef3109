"""One money format everywhere (issue 14): 75.000 đồng, never 75000 đ or 75,000 đ."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from hanoi_cchc.money import format_vnd


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (75000, "75.000 đồng"),
        (Decimal("75000.00"), "75.000 đồng"),
        (1500000, "1.500.000 đồng"),
        (0, "0 đồng"),
        (500, "500 đồng"),
        (None, ""),
    ],
)
def test_amounts_are_grouped_with_dots_and_say_dong(amount, text):
    with translation.override("vi"):
        assert format_vnd(amount) == text


def test_the_template_filters_use_the_same_format():
    with translation.override("vi"):
        rendered = Template("{% load catalogue %}{{ a|money }}|{{ a|vnd }}").render(
            Context({"a": Decimal("75000")})
        )
    assert rendered == "75.000 đồng|75.000 đồng"


# An amount printed by hand next to a currency sign: "{{ x|intcomma }} đ", "{{ x }} VNĐ".
HAND_MADE = re.compile(r"\}\}\s*(đ|VNĐ|VND|đồng)\b")


def test_no_template_formats_money_by_hand():
    roots = [Path(settings.BASE_DIR) / "templates"] + [
        p for p in Path(settings.BASE_DIR).glob("*/templates") if ".venv" not in p.parts
    ]
    offenders = [
        f"{path}:{n}"
        for root in roots
        for path in root.rglob("*.html")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if HAND_MADE.search(line)
    ]
    assert offenders == []
