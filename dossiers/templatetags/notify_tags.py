"""Template tags of the notifications: the officials' reminder banner on the worklist."""

from __future__ import annotations

from django import template

from dossiers.notifications.reminders import todays_digest

register = template.Library()


@register.simple_tag(takes_context=True)
def reminder_digest(context):
    """This morning's digest of the logged-in official, or None (one indexed lookup)."""
    request = context.get("request")
    digest = todays_digest(getattr(request, "user", None))
    if digest is None or not (digest.overdue or digest.due_soon):
        return None
    return digest
