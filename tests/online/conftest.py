"""Fixtures of the online submission, files and payment tests (issue 13)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from procedures.models import RequiredDocument
from tests.factories import ProcedureFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
SECRET = "4321"  # last 4 digits of the applicant's phone below
APPLICANT_POST = {
    "kind": "person",
    "name": "Lê Thị Mai",
    "id_number": "001190004321",
    "phone": "0987654321",
    "email": "mai@example.vn",
    "address": "Số 12 phố Hàng Gai, Hoàn Kiếm",
}


def upload(content: bytes, name: str = "giay-to.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in the cache (Redis in CI) and outlive a test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Dossier files in a temporary folder; the gateway secret of the tests."""
    settings.STORAGES = {
        **settings.STORAGES,
        "dossier_files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files"), "base_url": None},
        },
    }
    settings.PAYGOV_URL = "http://127.0.0.1:9/pay"
    settings.PAYGOV_SECRET = "bi-mat-chung-thu-nghiem"
    settings.PAYGOV_MERCHANT = "HANOI-CCHC"
    return tmp_path / "files"


@pytest.fixture
def online_proc(agency_a):
    procedure = ProcedureFactory(
        name="Đăng ký khai sinh",
        online_mode="full",
        fee=Decimal("50000"),
        agencies=[agency_a],
    )
    RequiredDocument.objects.create(procedure=procedure, name="Tờ khai đăng ký khai sinh", order=1)
    RequiredDocument.objects.create(procedure=procedure, name="Giấy chứng sinh", order=2)
    return procedure


def submit_post(procedure, agency, files: dict | None = None) -> dict:
    docs = list(procedure.required_documents.order_by("order", "id"))
    data = {**APPLICANT_POST, "agency": str(agency.pk)}
    for i, doc in enumerate(docs):
        content = (files or {}).get(i, PDF)
        data[f"doc_{doc.pk}"] = upload(content, name=f"tep-{i}.pdf")
    return data


def signed_callback(payment, *, txn: str = "GW-000123", **overrides) -> dict:
    """The gateway's callback for this payment, signed with the shared secret."""
    from dossiers import payments

    fields = {
        "amount": str(payment.amount),
        "merchant": "HANOI-CCHC",
        "ref": payment.reference,
        "status": "00",
        "txn": txn,
    }
    fields.update(overrides)
    fields["sig"] = payments.sign(fields, payments.CALLBACK_FIELDS)
    return fields
