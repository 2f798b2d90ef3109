"""Every page of the portal, fed hostile values in its path, query string and form fields,
anonymous and as each role of the cast: no response >= 500 (issue 12).

The patterns come from the URLconf and the field names from the pages themselves (and the
query parameters the views read by name), so a new page is attacked without editing this
file. The corpus is sampled per pattern and role with a fixed seed: the same requests on
every run, a few per pattern rather than the full cross product.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from .conftest import ROLES, rounds
from .corpus import CLEAN_TEXT, NUL_TEXT, TEXT, sampler
from .urls import form_fields, page_patterns, query_names_in_source

ADMIN_PARAMS = {"q", "p", "o", "e", "_changelist_filters", "_popup", "_to_field"}
# Posting to these with a valid path would end the session or delete the world under test;
# their path parameters are still attacked.
NO_VALID_POST = ("logout", "_delete")
# Admin pages for the cast: anonymous, a role without staff access, the administrator.
ADMIN_ROLES = {"anonymous", "desk_a", "sysadmin"}


def fill(template: str, values: dict) -> str:
    return template.format(**{k: quote(str(v), safe="") for k, v in values.items()})


@pytest.mark.parametrize("role", ROLES)
def test_no_page_answers_hostile_input_with_a_server_error(role, world, client_for, recorder):
    client = client_for(role)
    source_names = query_names_in_source()
    for pattern in page_patterns():
        is_admin = pattern.template.startswith("/admin/")
        if is_admin and role not in ADMIN_ROLES:
            continue
        rng = sampler(pattern.template, role)
        valid = {p: world["valid"].get(p, "1") for p in pattern.params}
        if "url" in valid or "rest" in valid:
            valid = dict.fromkeys(valid, "x")
        path = fill(pattern.template, valid)

        page = client.get(path)
        recorder.check(f"{role} GET {path}", page)
        if is_admin and role != "sysadmin":
            continue  # the login page, for every admin URL: attacked as anonymous below
        html = page.content.decode("utf-8", "ignore") if page.status_code == 200 else ""
        fields = form_fields(html)
        names = sorted(fields | source_names | (ADMIN_PARAMS if is_admin else set()))

        # Hostile path parameters, one at a time (the others valid).
        for param in pattern.params:
            for value in rng.sample(TEXT, rounds(role, 3)):
                bad = fill(pattern.template, {**valid, param: value})
                recorder.check(f"{role} GET {bad}", client.get(bad))
                if not is_admin:
                    recorder.check(f"{role} POST {bad}", client.post(bad, {"x": value}))

        # Hostile query strings: every known name at once, and a raw undecodable one.
        for _ in range(rounds(role, 2 if is_admin else 3)):
            query = {name: rng.choice(CLEAN_TEXT) for name in names}
            recorder.check(f"{role} GET {path} {query!r:.200}", client.get(path, query))
        raw = client.get(path, QUERY_STRING="q=%ff%fe%00&page=%C2%B2&nam=%00")
        recorder.check(f"{role} GET {path}?<undecodable>", raw)

        # Hostile form fields.
        if pattern.name.endswith(NO_VALID_POST) or pattern.name in NO_VALID_POST:
            continue
        for _ in range(rounds(role, 2 if is_admin else 3)):
            form = {name: rng.choice(CLEAN_TEXT) for name in (fields or names)}
            recorder.check(f"{role} POST {path} {form!r:.200}", client.post(path, form))
        form = {name: rng.choice(NUL_TEXT) for name in (fields or names)}
        recorder.check(f"{role} POST {path} <NUL>", client.post(path, form))

    assert recorder.count > 0
    assert recorder.failures == [], "\n".join(recorder.failures)
