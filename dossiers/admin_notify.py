"""Admin of the applicant's messages: the editable templates, and the sent messages (read
only, scoped like the dossiers themselves)."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import MessageTemplate, Notification
from .notifications.render import PLACEHOLDERS

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["kind", "channel", "subject", "body", "active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8, "cols": 80})}

    def _check(self, name: str) -> str:
        text = self.cleaned_data.get(name) or ""
        unknown = sorted({m for m in _PLACEHOLDER.findall(text) if m not in PLACEHOLDERS})
        if unknown:
            raise forms.ValidationError(
                gettext("Trường không có: %(names)s. Các trường dùng được: %(known)s.")
                % {
                    "names": ", ".join("{" + u + "}" for u in unknown),
                    "known": ", ".join("{" + k + "}" for k in PLACEHOLDERS),
                }
            )
        return text

    def clean_subject(self):
        return self._check("subject")

    def clean_body(self):
        return self._check("body")


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ("kind", "channel", "active", "updated_at")
    list_filter = ("channel", "active")
    readonly_fields = ("placeholders",)
    fields = ("kind", "channel", "subject", "body", "active", "placeholders")

    @admin.display(description=_("các trường dùng được"))
    def placeholders(self, obj):
        return format_html_join(
            "", "<div><code>{{{}}}</code> – {}</div>", ((k, v) for k, v in PLACEHOLDERS.items())
        )

    def get_readonly_fields(self, request, obj=None):
        # A template is the text of one (kind, channel): edit it, never move it.
        return (*self.readonly_fields, "kind", "channel") if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Switch a template off ("đang dùng") instead; a deleted one falls back to the default.
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "dossier", "kind", "channel", "recipient", "state", "attempts")
    list_filter = ("state", "channel", "kind")
    search_fields = ("=dossier__code", "=recipient")
    list_select_related = ("dossier",)
    raw_id_fields = ("dossier", "event")
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        visible = selectors.dossiers_visible_to(request.user).values("pk")
        return queryset.filter(dossier_id__in=visible)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
