"""The domain's errors, mapped once per interface (pages and API).

- ``NotFound``: the object does not exist *for this user* (out of scope looks the same
  as absent, so the scope cannot be probed) → 404.
- ``NotPermitted``: the user may see it but not do this → 403.
- ``NotAllowedInState``: the dossier's status or the law does not allow it now → 409.
- ``InvalidInput``: the request itself is wrong (missing or malformed values) → 400.

Each carries a message for people (Vietnamese source text, translated) and optionally
per-field messages. Tests assert the type or the status code, never the wording.
"""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "domain_error"

    def __init__(self, message: str, *, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class NotPermitted(DomainError):
    status_code = 403
    code = "permission_denied"


class NotAllowedInState(DomainError):
    status_code = 409
    code = "transition_not_allowed"


class InvalidInput(DomainError):
    status_code = 400
    code = "invalid"
