"""Forms of the public catalogue and of the admin import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Agency, Field, Procedure

LEVEL_CHOICES = [
    ("", _("Tất cả các cấp")),
    ("city", _("Cấp Thành phố")),
    ("district", _("Cấp huyện (đến 30/6/2025)")),
    ("commune", _("Cấp xã")),
]
ONLINE_CHOICES = [
    ("", _("Tất cả")),
    ("online", _("Có trực tuyến (một phần hoặc toàn trình)")),
    (Procedure.OnlineMode.FULL, _("Trực tuyến toàn trình")),
    (Procedure.OnlineMode.PARTIAL, _("Trực tuyến một phần")),
    (Procedure.OnlineMode.NONE, _("Không trực tuyến")),
]
DVCQG_CHOICES = [("", _("Tất cả")), ("yes", _("Đã tích hợp")), ("no", _("Chưa tích hợp"))]


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.short_name or obj.name


class CatalogueFilterForm(forms.Form):
    """The search box and filters of /thu-tuc/; every field is optional."""

    q = forms.CharField(
        label=_("Tìm thủ tục"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": _("Nhập tên hoặc mã thủ tục, có dấu hoặc không dấu")}
        ),
    )
    field = forms.ModelChoiceField(
        label=_("Lĩnh vực"), required=False, queryset=Field.objects.all(), empty_label=_("Tất cả")
    )
    level = forms.ChoiceField(label=_("Cấp thực hiện"), required=False, choices=LEVEL_CHOICES)
    agency = AgencyChoiceField(
        label=_("Cơ quan thực hiện"),
        required=False,
        queryset=Agency.objects.exclude(level=Agency.Level.DISTRICT)
        .filter(valid_to__isnull=True)
        .order_by("level", "name"),
        empty_label=_("Tất cả"),
    )
    online = forms.ChoiceField(
        label=_("Dịch vụ công trực tuyến"), required=False, choices=ONLINE_CHOICES
    )
    dvcqg = forms.ChoiceField(
        label=_("Tích hợp Cổng DVC quốc gia"), required=False, choices=DVCQG_CHOICES
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp CSV hoặc XLSX"),
        help_text=_("Tối đa 10 MB; dòng đầu là tên cột."),
    )
