"""Read-only admin of online payments and dossier files (issue 13).

Changes go through dossiers.payments and dossiers.documents only; the admin shows what
happened, for support and audit. Files are opened from the dossier page (access-checked),
never from here.
"""

from django.contrib import admin

from .models import DossierFile, Payment


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ("reference", "dossier", "amount", "state", "created_at", "paid_at")
    list_filter = ("state",)
    search_fields = ("reference", "gateway_txn", "dossier__code")
    raw_id_fields = ("dossier",)


@admin.register(DossierFile)
class DossierFileAdmin(ReadOnly):
    list_display = ("title", "dossier", "kind", "content_type", "size", "uploaded_at")
    list_filter = ("kind",)
    search_fields = ("dossier__code", "title")
    exclude = ("file",)
    raw_id_fields = ("dossier",)
