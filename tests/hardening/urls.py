"""Every URL pattern of the portal, from the URLconf, as a fillable path template."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Pattern:
    template: str  # "/ho-so/{pk}/thao-tac/{action}/"
    params: tuple[str, ...]
    name: str


def _named_groups(regex: str) -> str:
    """Replace each (?P<name>...) group (balanced) by {name} and each other group by {argN}."""
    out, i, n = [], 0, 0
    while i < len(regex):
        if regex[i] == "(" and (i == 0 or regex[i - 1] != "\\"):
            depth, j = 1, i + 1
            while depth:
                if regex[j] == "(" and regex[j - 1] != "\\":
                    depth += 1
                elif regex[j] == ")" and regex[j - 1] != "\\":
                    depth -= 1
                j += 1
            group = regex[i:j]
            match = re.match(r"\(\?P<(\w+)>", group)
            out.append("{%s}" % (match.group(1) if match else f"arg{n}"))
            n += 0 if match else 1
            i = j
        else:
            out.append(regex[i])
            i += 1
    text = "".join(out).lstrip("^").rstrip("$")
    return text.replace("\\.", ".").replace("/?", "/")


def _piece(pattern) -> str:
    if isinstance(pattern, RegexPattern):
        return _named_groups(str(pattern.regex.pattern))
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern))


def all_patterns() -> list[Pattern]:
    found = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + _piece(p.pattern))
            else:
                template = "/" + prefix + _piece(p.pattern)
                params = tuple(re.findall(r"\{(\w+)\}", template))
                found.append(Pattern(template, params, p.name or template))

    walk(get_resolver().url_patterns, "")
    return found


def page_patterns() -> list[Pattern]:
    return [p for p in all_patterns() if not p.template.startswith(("/api/", "/static/"))]


def query_names_in_source() -> set[str]:
    """Query parameters the views read by name (forms' fields come from the pages)."""
    names = set()
    for path in ROOT.glob("*/**/*.py"):
        if "tests" in path.parts or "node_modules" in path.parts or ".venv" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        names.update(re.findall(r"(?:GET|query_params)\.get\(\s*[\"']([^\"']+)", text))
        names.update(re.findall(r"(?:GET|query_params)\[\s*[\"']([^\"']+)", text))
    return names


FIELD_NAME = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)


def form_fields(html: str) -> set[str]:
    return set(FIELD_NAME.findall(html)) - {"csrfmiddlewaretoken"}
