"""The API's JSON parser: DRF's, with a depth limit and no NUL bytes (issue 12).

A body nested a hundred thousand levels deep made ``json.loads`` raise RecursionError on
every JSON endpoint (a 500). No operation of ours takes more than a few levels, so
anything deeper than ``MAX_JSON_DEPTH`` is a 400; the check walks the parsed value with
an explicit stack, so it cannot recurse itself. Text with a NUL byte is refused too:
PostgreSQL cannot store it.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

DEFAULT_MAX_JSON_DEPTH = 20


def check_json(value, max_depth: int) -> str | None:
    """Why ``value`` is refused (too deep, NUL in a text), or None if it is acceptable."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > max_depth:
                return "depth"
            children = item.items() if isinstance(item, dict) else ((None, v) for v in item)
            for key, child in children:
                if isinstance(key, str) and "\x00" in key:
                    return "nul"
                stack.append((child, depth + 1))
        elif isinstance(item, str) and "\x00" in item:
            return "nul"
    return None


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("Dữ liệu JSON lồng nhau quá sâu.")) from None
        max_depth = getattr(settings, "MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH)
        problem = check_json(data, max_depth)
        if problem == "depth":
            raise ParseError(_("Dữ liệu JSON lồng nhau quá sâu."))
        if problem == "nul":
            raise ParseError(_("Dữ liệu gửi lên chứa ký tự NUL không hợp lệ."))
        return data
