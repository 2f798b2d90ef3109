"""Cursor pagination whose cursor is checked before it reaches the database (issue 12).

DRF decodes the cursor's base64 and its offset, but passes the position (``p=``) to the
queryset as it is: a cursor that decodes to ``p=abc`` or ``p=2024-13-45`` became a
database error (a 500). Here the position must parse as the ordering field's value, else
the answer is DRF's own "invalid cursor" 404.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist, ValidationError
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination


class CheckedCursorPagination(CursorPagination):
    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is None or cursor.position is None:
            return cursor
        name = self.ordering[0].lstrip("-")  # set by paginate_queryset before decoding
        try:
            field = self._model._meta.get_field(name)
            value = field.to_python(cursor.position)
            field.get_prep_value(value)
        except (FieldDoesNotExist, ValidationError, ValueError, TypeError, OverflowError):
            raise NotFound(self.invalid_cursor_message) from None
        if value is None or "\x00" in cursor.position:
            raise NotFound(self.invalid_cursor_message)
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            raise NotFound(self.invalid_cursor_message)
        return cursor
