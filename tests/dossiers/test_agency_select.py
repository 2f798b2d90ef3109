"""The long agency lists (transfer, intake) are grouped by level and filterable (issue 14)."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from dossiers.forms import IntakeForm, TransferForm
from dossiers.workflow import Status
from procedures.models import Agency
from procedures.widgets import AgencySelect
from tests.factories import AgencyFactory

from . import fixtures_desk as fx
from .fixtures_desk import login

procedure_a = fx.procedure_a
received_dossier = fx.received_dossier

pytestmark = pytest.mark.django_db
L, U = Agency.Level, Agency.UnitType


@pytest.fixture
def many_agencies(db):
    AgencyFactory(name="Sở Tư pháp", level=L.DEPARTMENT, unit_type=U.NONE)
    AgencyFactory(name="Sở Xây dựng", level=L.DEPARTMENT, unit_type=U.NONE)
    AgencyFactory(name="UBND xã Đông Anh", level=L.COMMUNE, unit_type=U.COMMUNE)
    AgencyFactory(name="UBND xã Bát Tràng", level=L.COMMUNE, unit_type=U.COMMUNE)
    AgencyFactory(name="UBND phường Ba Đình", level=L.COMMUNE, unit_type=U.WARD)
    AgencyFactory(
        name="UBND quận Hoàn Kiếm",
        level=L.DISTRICT,
        unit_type=U.URBAN_DISTRICT,
        valid_to=date(2025, 6, 30),
    )


def _groups(html: str) -> dict[str, list[str]]:
    return {
        unescape(label): [unescape(o) for o in re.findall(r"<option[^>]*>([^<]*)</option>", body)]
        for label, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', html, re.S)
    }


def test_agencies_are_grouped_by_level_in_vietnamese_order(many_agencies):
    field = TransferForm().fields["to_agency"]
    field.queryset = Agency.objects.all()  # the ended district too, to see its group
    html = field.widget.render("to_agency", None, {"id": "x"})
    groups = _groups(html)
    assert list(groups) == ["Sở, ban, ngành", "Phường", "Xã", "Cấp huyện (đến 30/6/2025)"]
    assert groups["Xã"] == ["UBND xã Bát Tràng", "UBND xã Đông Anh"]  # Đ after B, fold()
    assert groups["Cấp huyện (đến 30/6/2025)"] == ["UBND quận Hoàn Kiếm"]
    assert 'data-filter="agency"' in html and "data-filter-placeholder" in html
    # Every agency once, plus the blank choice, and nothing else.
    assert html.count("<option") == Agency.objects.count() + 1


def test_the_chosen_agency_stays_selected_in_its_group(many_agencies):
    chosen = Agency.objects.get(name="UBND xã Đông Anh")
    html = AgencySelect(attrs={"id": "x"})
    html.choices = TransferForm().fields["to_agency"].choices
    rendered = html.render("to_agency", chosen.pk)
    assert re.search(rf'<option value="{chosen.pk}" selected>', rendered)


def test_the_transfer_form_on_the_dossier_page_is_grouped_and_loads_the_filter(
    client, specialist_a, received_dossier, many_agencies
):
    received_dossier.status = Status.PROCESSING
    received_dossier.save()
    login(client, specialist_a)
    page = client.get(reverse("dossiers:detail", args=[received_dossier.pk])).content.decode()
    assert 'name="transfer-to_agency"' in page and "<optgroup" in page
    assert "js/select-filter.js" in page
    # A choice from the grouped list goes through (the widget changes nothing but display).
    target = Agency.objects.get(name="Sở Tư pháp")
    response = client.post(
        reverse("dossiers:act", args=[received_dossier.pk, "transfer"]),
        {
            "transfer-to_agency": target.pk,
            "transfer-limit_value": "2",
            "transfer-limit_unit": "working_days",
        },
    )
    assert response.status_code == 302
    received_dossier.refresh_from_db()
    assert received_dossier.current_agency == target


def test_the_intake_agency_list_is_grouped(procedure_a, many_agencies):
    form = IntakeForm(procedure=procedure_a, agencies=Agency.objects.filter(valid_to__isnull=True))
    html = str(form["agency"])
    assert "<optgroup" in html and "Cấp huyện" not in html
