"""Forms of the public catalogue and of the admin import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Agency, Field, Procedure
from .search import fold

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


_AGENCY_GROUPS = {
    Agency.Level.CITY: _("Thành phố"),
    Agency.Level.SERVICE_CENTER: _("Thành phố"),
    Agency.Level.DEPARTMENT: _("Sở, ban, ngành"),
    Agency.Level.COMMUNE: _("Phường, xã"),
}
_AGENCY_GROUP_ORDER = [_("Thành phố"), _("Sở, ban, ngành"), _("Phường, xã")]


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Sorted on the folded name so that Đ sorts with D whatever the database collation;
        # agencies grouped by level so 126 communes do not bury the departments.
        fields = sorted(Field.objects.all(), key=lambda f: fold(f.name))
        self.fields["field"].choices = [("", _("Tất cả"))] + [(f.pk, f.name) for f in fields]
        groups: dict[str, list] = {}
        for agency in sorted(self.fields["agency"].queryset, key=lambda a: fold(a.name)):
            label = _AGENCY_GROUPS.get(agency.level, agency.get_level_display())
            groups.setdefault(label, []).append((agency.pk, agency.short_name or agency.name))
        self.fields["agency"].choices = [("", _("Tất cả"))] + [
            (label, groups[label]) for label in _AGENCY_GROUP_ORDER if label in groups
        ]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp CSV hoặc XLSX"),
        help_text=_("Tối đa 10 MB; dòng đầu là tên cột."),
    )
