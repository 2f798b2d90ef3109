"""Form widgets rendered in Python where Django's templates cost too much.

Django renders a <select> through one template include per option: a few hundred options
(the worklist's procedure filter, issue 10) took about half of the worklist page's CPU at
city scale (bench/profile_hot.py). PlainSelect writes the same HTML with a string join;
PlainTextInput and PlainPasswordInput do the same for the citizen lookup's two fields, on
the public page served most often.
"""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe


class PlainSelect(forms.Select):
    """forms.Select with the same markup (name, attributes, options, selected), built in
    Python. Flat choices only: option groups fall back to Django's templates."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        groups = context["optgroups"]
        if any(group_name for group_name, _, _ in groups):
            return super().render(name, value, attrs, renderer)
        # Select options carry no attribute but "selected" (option_inherits_attrs is False).
        options = "".join(
            f'<option value="{conditional_escape(str(option["value"]))}"'
            f"{' selected' if option['selected'] else ''}>"
            f"{conditional_escape(option['label'])}</option>"
            for _, group, _ in groups
            for option in group
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            context["name"],
            _attributes(context["attrs"]),
            mark_safe(options),  # noqa: S308 (every value and label is escaped above)
        )


class PlainInputMixin:
    """An <input> with Django's markup (input.html), built in Python."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value_part = (
            format_html(' value="{}"', str(widget["value"])) if widget["value"] is not None else ""
        )
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            value_part,
            _attributes(widget["attrs"]),
        )


class PlainTextInput(PlainInputMixin, forms.TextInput):
    pass


class PlainPasswordInput(PlainInputMixin, forms.PasswordInput):
    pass


def _attributes(attrs: dict) -> str:
    """Django's widgets/attrs.html: in order; True alone, False left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )
