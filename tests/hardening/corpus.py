"""Hostile values an outsider can put wherever a request carries text.

Each family of the hardening findings (issue 12) has its representatives here: NUL bytes,
digits that are not ASCII, numbers and dates past the database's or Python's range,
values that look like cursors but do not parse, formula and markup starters, very long
text. The suite samples this list per endpoint (deterministically), so adding a value
here puts it in front of every page and API operation.
"""

from __future__ import annotations

import base64
import hashlib
import random

CURSORS = [
    base64.b64encode(b"p=not-a-number").decode(),
    base64.b64encode(b"o=99999999999999999999999&p=1").decode(),
    base64.b64encode(b"p=2024-13-45T99:99:99").decode(),
    base64.b64encode(b"r=1&p=\x00").decode(),
    base64.b64encode("p=²".encode()).decode(),
    "%%%not-base64",
]

TEXT = [
    "\x00",
    "1\x00",
    "a\x00b",
    "²",
    "١٢",
    "𝟙𝟚",
    "½",
    "-1",
    "0",
    "99999999999999999999",
    "9" * 40,
    "-99999999999999999999",
    "1e400",
    "NaN",
    "Infinity",
    "1.5",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2024-02-30",
    "-0001-01-01",
    "9999-12",
    "2024-13",
    "0000-00",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "../../../etc/passwd",
    "%",
    "%ff%fe",
    "a" * 5000,
    " ",
    "",
    *CURSORS,
]

# Most requests carry no NUL byte, so that the other values get past the middleware that
# refuses NUL (one request per endpoint carries NUL on purpose).
CLEAN_TEXT = [v for v in TEXT if "\x00" not in v]
NUL_TEXT = [v for v in TEXT if "\x00" in v]

# Values for JSON bodies, beyond the texts: numbers and shapes a form cannot carry.
JSON_VALUES = [
    *TEXT,
    10**20,
    -(10**20),
    10**400,
    1e308,
    -1,
    0,
    2**63,
    True,
    None,
    [],
    {},
    [None],
    {"a": "\x00"},
]

DEPTH = 100_000


def deep_json(depth: int = DEPTH) -> str:
    """A JSON text nested ``depth`` levels deep (written as text: json.dumps would recurse)."""
    return "[" * depth + "]" * depth


RAW_BODIES = [
    deep_json(),
    '{"a":' * DEPTH + "1" + "}" * DEPTH,
    "[]",
    "1",
    "null",
    '"\\u0000"',
    '{"x": 1e99999}',
    "{not json",
]


def sampler(*key) -> random.Random:
    """The same random choices for the same endpoint and role on every run."""
    seed = int.from_bytes(hashlib.sha256(repr(key).encode()).digest()[:8], "big")
    return random.Random(seed)
