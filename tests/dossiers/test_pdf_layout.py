"""Printed-form layout defects from issue 14, read back from the PDFs' text lines and the
rendered pages (pdftoppm)."""

import io
import shutil
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from dossiers.models import Apology, Dossier, SupplementRequest
from dossiers.pdf import RENDERERS, render_form_06
from tests.factories import AgencyFactory

from . import fixtures_desk as fx

procedure_a = fx.procedure_a
received_dossier = fx.received_dossier

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def lines_of(content: bytes) -> list[str]:
    """The text lines as laid out (no-break spaces read as spaces)."""
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")
    return [" ".join(line.split()) for line in text.splitlines()]


def with_city_parent(dossier):
    parent = AgencyFactory(name="Ủy ban nhân dân Thành phố Hà Nội", identifier_code="000.00.00.H26")
    dossier.agency.parent = parent
    dossier.agency.name = "Ủy ban nhân dân phường Hoàn Kiếm"
    dossier.agency.save()
    return dossier


def test_the_header_keeps_thanh_pho_ha_noi_on_one_line(received_dossier):
    lines = lines_of(RENDERERS["01"](with_city_parent(received_dossier)))
    assert any("THÀNH PHỐ HÀ NỘI" in line for line in lines)
    assert not any(line.endswith("HÀ") for line in lines)


def test_the_ledger_prints_each_code_on_one_line(received_dossier, agency_a):
    content = render_form_06(
        agency=agency_a,
        dossiers=Dossier.objects.filter(agency=agency_a).select_related(
            "procedure", "current_agency"
        ),
        date_from=datetime(2021, 1, 1, tzinfo=HANOI).date(),
        date_to=datetime(2021, 1, 31, tzinfo=HANOI).date(),
    )
    assert any(received_dossier.code in line.replace(" ", "") for line in lines_of(content))
    assert any(received_dossier.code in line for line in lines_of(content))


def supplement(dossier, by):
    SupplementRequest.objects.create(
        dossier=dossier,
        requested_at=dossier.received_at + timedelta(days=1),
        requested_by=by,
        content="Bản sao giấy chứng sinh",
    )
    return dossier


def test_form_02_gives_the_desk_phone_or_where_the_desk_is(received_dossier, specialist_a):
    dossier = supplement(received_dossier, specialist_a)
    dossier.agency.phone, dossier.agency.address = "024 3825 3536", ""
    dossier.agency.save()
    text = " ".join(lines_of(RENDERERS["02"](dossier)))
    assert "024 3825 3536" in text
    dossier.agency.phone, dossier.agency.address = "", "126 Hàng Trống"
    dossier.agency.save()
    text = " ".join(lines_of(RENDERERS["02"](dossier)))
    assert "số điện thoại …" not in text and "126 Hàng Trống" in text


def apology(dossier, by, *, days_before_due: int):
    return Apology.objects.create(
        dossier=dossier,
        created_at=dossier.due_at - timedelta(days=days_before_due),
        created_by=by,
        reason="Cần xác minh thông tin cư trú",
        old_due_at=dossier.due_at,
        new_due_at=dossier.due_at + timedelta(days=3),
    )


@pytest.mark.parametrize(("days_before_due", "says_not_yet"), [(3, False), (-2, True)])
def test_the_apology_only_says_not_returned_yet_once_the_deadline_has_passed(
    received_dossier, specialist_a, days_before_due, says_not_yet
):
    apology(received_dossier, specialist_a, days_before_due=days_before_due)
    received_dossier.refresh_from_db()
    text = " ".join(lines_of(RENDERERS["04"](received_dossier)))
    assert ("đến nay" in text) is says_not_yet


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_the_contact_line_is_not_spread_out(received_dossier, tmp_path):
    """Justified, the phone/e-mail line had wide gaps: the rendered line's ink is compact."""
    received_dossier.applicant_email = "nguyen.thi.hong.nhung.hoan.kiem.2021@example.com"
    received_dossier.save()
    content = RENDERERS["01"](received_dossier)
    lines = lines_of(content)
    contact = next(line for line in lines if line.startswith("Số điện thoại"))
    assert "Email" in contact
    pdf = tmp_path / "mau-01.pdf"
    pdf.write_bytes(content)
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    line = next(ln for ln in out.splitlines() if "Số điện thoại" in ln)
    gap = line.split("Số điện thoại:")[1].split("Email")[0]
    # phone number, a couple of spaces; justified text put tens of columns here.
    assert len(gap) < 25
