"""{{ user|display_name }}: a person's name in Vietnamese order (hanoi_cchc.names)."""

from django import template

from hanoi_cchc.names import display_name as _display_name

register = template.Library()


@register.filter
def display_name(user) -> str:
    return _display_name(user)
