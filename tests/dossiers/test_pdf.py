"""Forms 01-06: searchable Vietnamese text, paper sizes, the QR code of form 01."""

import io
import shutil
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, A5, landscape

from dossiers.models import Apology, Dossier, SupplementRequest, Transfer
from dossiers.pdf import RENDERERS, lookup_url, render_form_06
from dossiers.pdf.forms import handoffs
from tests.factories import AgencyFactory

from . import fixtures_desk as fx

procedure_a = fx.procedure_a
received_dossier = fx.received_dossier

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def text_of(content: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Table cells and narrow columns wrap lines: compare on single-spaced text.
    return " ".join(text.split()), reader


def size_of(reader) -> tuple[float, float]:
    box = reader.pages[0].mediabox
    return float(box.width), float(box.height)


@pytest.fixture
def full_dossier(received_dossier, desk_a, specialist_a, agency_b):
    at = received_dossier.received_at
    SupplementRequest.objects.create(
        dossier=received_dossier,
        requested_at=at + timedelta(days=1),
        requested_by=specialist_a,
        content="Bản sao sổ hộ khẩu\nGiấy xác nhận cư trú của mẹ",
    )
    Apology.objects.create(
        dossier=received_dossier,
        created_at=at + timedelta(days=5),
        created_by=specialist_a,
        reason="Cần xác minh thông tin cư trú với Công an phường",
        old_due_at=received_dossier.due_at,
        new_due_at=received_dossier.due_at + timedelta(days=3),
    )
    Transfer.objects.create(
        dossier=received_dossier,
        from_agency=received_dossier.agency,
        to_agency=agency_b,
        sent_at=at + timedelta(days=2),
        limit_value=2,
        limit_unit="working_days",
        due_at=at + timedelta(days=4),
        returned_at=at + timedelta(days=3),
        timeliness="early",
    )
    return received_dossier


@pytest.mark.parametrize(
    "number,title",
    [
        ("01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        ("02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        ("03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
        ("04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
        ("05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
    ],
)
def test_each_form_is_an_a5_pdf_with_its_vietnamese_title_intact(full_dossier, number, title):
    text, reader = text_of(RENDERERS[number](full_dossier))
    assert title in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert f"Mẫu số {number}" in text
    width, height = size_of(reader)
    assert (round(width), round(height)) == (round(A5[0]), round(A5[1]))


def test_form_01_carries_the_code_the_appointment_and_the_documents(received_dossier):
    text, _ = text_of(RENDERERS["01"](received_dossier))
    assert received_dossier.code in text
    assert "17 giờ 00 phút, ngày 15 tháng 01 năm 2021" in text
    assert "Giấy chứng sinh (bản sao, 1 bản)" in text
    assert "Trần Thị Hồng Nhung" in text


def test_form_01_qr_code_points_to_the_public_status_page(received_dossier, settings, tmp_path):
    settings.SITE_URL = "https://dichvucong.hanoi.gov.vn"
    url = lookup_url(received_dossier.code)
    assert url == ("https://dichvucong.hanoi.gov.vn/ho-so/tra-cuu/?ma=" + received_dossier.code)
    if shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None:
        pytest.skip("zbarimg/pdftoppm not installed: the QR payload is checked via lookup_url")
    pdf = tmp_path / "mau-01.pdf"
    pdf.write_bytes(RENDERERS["01"](received_dossier))
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", str(tmp_path / "p.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert decoded == url


def test_form_02_lists_every_requested_item(full_dossier):
    text, _ = text_of(RENDERERS["02"](full_dossier))
    assert "1. Bản sao sổ hộ khẩu" in text and "2. Giấy xác nhận cư trú của mẹ" in text


def test_form_04_gives_the_reason_and_the_new_appointment(full_dossier):
    text, _ = text_of(RENDERERS["04"](full_dossier))
    assert "Cần xác minh thông tin cư trú" in text
    assert "ngày 18 tháng 01 năm 2021" in text


def test_form_05_judges_each_hand_off(full_dossier, agency_b):
    rows = handoffs(full_dossier)
    assert rows[0]["result"] == "Trước hạn"
    text, _ = text_of(RENDERERS["05"](full_dossier))
    assert agency_b.name in text or "UBND xã Sóc Sơn" in text


def test_form_06_is_an_a4_landscape_ledger_of_the_period(received_dossier, agency_a):
    content = render_form_06(
        agency=agency_a,
        dossiers=Dossier.objects.filter(agency=agency_a).select_related(
            "procedure", "current_agency"
        ),
        date_from=datetime(2021, 1, 1, tzinfo=HANOI).date(),
        date_to=datetime(2021, 1, 31, tzinfo=HANOI).date(),
    )
    text, reader = text_of(content)
    assert "SỔ THEO DÕI HỒ SƠ" in text and received_dossier.code in text.replace(" ", "")
    width, height = size_of(reader)
    assert (round(width), round(height)) == (round(landscape(A4)[0]), round(landscape(A4)[1]))


def test_an_agency_with_a_parent_prints_both_names(received_dossier):
    parent = AgencyFactory(name="UBND quận Hoàn Kiếm", identifier_code="000.00.01.H26")
    received_dossier.agency.parent = parent
    received_dossier.agency.save()
    text, _ = text_of(RENDERERS["01"](received_dossier))
    assert "UBND QUẬN HOÀN KIẾM" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_forms_render_to_images_for_a_person_to_look_at(full_dossier, tmp_path):
    from pathlib import Path

    out = Path(__file__).resolve().parents[2] / "test-artifacts"
    out.mkdir(exist_ok=True)
    for number, render in RENDERERS.items():
        pdf = tmp_path / f"mau-{number}.pdf"
        pdf.write_bytes(render(full_dossier))
        subprocess.run(
            ["pdftoppm", "-r", "80", "-png", "-singlefile", str(pdf), str(out / f"mau-{number}")],
            check=True,
        )
        assert (out / f"mau-{number}.png").stat().st_size > 5000
