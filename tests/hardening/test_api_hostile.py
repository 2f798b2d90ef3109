"""Every operation of the API's OpenAPI schema, fed hostile path and query parameters and
hostile JSON bodies (deep nesting, NUL, numbers past any column), anonymous and as each
role of the cast: no response >= 500 (issue 12).

The operations come from the schema itself, so a new one is attacked without editing this
file. Schemathesis (tests/api/test_schemathesis.py) stays for conformance; this suite is
about the values Schemathesis does not generate.
"""

from __future__ import annotations

import functools
import json
from urllib.parse import quote

import pytest
from drf_spectacular.generators import SchemaGenerator

from .conftest import ROLES, rounds
from .corpus import CLEAN_TEXT, CURSORS, JSON_VALUES, NUL_TEXT, RAW_BODIES, TEXT, sampler


@functools.cache
def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)  # once per run, not per role


def operations():
    schema = _schema()
    components = schema.get("components", {}).get("schemas", {})
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, op, components


def body_fields(op, components) -> list[str]:
    content = op.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    if ref:
        schema = components.get(ref.rsplit("/", 1)[-1], {})
    return sorted(schema.get("properties", {}))


@pytest.mark.parametrize("role", ROLES)
def test_no_api_operation_answers_hostile_input_with_a_server_error(
    role, world, client_for, recorder
):
    client = client_for(role)
    for path, method, op, components in operations():
        rng = sampler(path, method, role)
        params = op.get("parameters", [])
        path_params = [p["name"] for p in params if p["in"] == "path"]
        query_params = [p["name"] for p in params if p["in"] == "query"]
        valid = {p: world["valid"].get(p, "1") for p in path_params}
        url = path.format(**valid)
        call = getattr(client, method)

        def send(target, data=None, raw=None, query=None, *, _call=call, _method=method):
            if query:
                target += "?" + "&".join(f"{quote(k)}={quote(str(v))}" for k, v in query.items())
            if raw is not None:
                response = _call(target, raw, content_type="application/json")
            elif data is not None:
                response = _call(target, json.dumps(data), content_type="application/json")
            else:
                response = _call(target)
            label = raw[:80] if raw else repr(data or query)[:200]
            recorder.check(f"{role} {_method.upper()} {target[:200]} {label}", response)

        for name in path_params:
            for value in rng.sample(TEXT, rounds(role, 3)):
                send(path.format(**{**valid, name: quote(value, safe="")}))
        names = [*query_params, "cursor", "page_size", "format"]
        for _ in range(rounds(role, 3)):
            send(url, query={n: rng.choice(CLEAN_TEXT) for n in names})
        send(url, query={"cursor": rng.choice(CURSORS)})
        send(url, query={n: rng.choice(NUL_TEXT) for n in names})

        if method in {"post", "put", "patch"}:
            fields = body_fields(op, components) or ["x"]
            for _ in range(rounds(role, 3)):
                send(url, data={f: rng.choice(JSON_VALUES) for f in fields})
            for raw in rng.sample(RAW_BODIES, rounds(role, 3)):
                send(url, raw=raw)
            send(url, raw=RAW_BODIES[0])  # the deepest nesting, on every operation

    assert recorder.count > 0
    assert recorder.failures == [], "\n".join(recorder.failures)
