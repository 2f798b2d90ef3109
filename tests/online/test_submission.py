"""Online submission with documents, the applicant's access, supplements (issue 13)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers import applicant, documents, services
from dossiers.errors import InvalidInput
from dossiers.models import Dossier, DossierFile, OnlineSubmission
from dossiers.workflow import Status

from .conftest import HTML, JPEG, PDF, PNG, SECRET, submit_post, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("content", "expected"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")],
)
def test_uploads_are_typed_by_their_content(content, expected):
    checked = documents.check_upload(upload(content, name="anh.txt", content_type="text/plain"))
    assert checked.content_type == expected


@pytest.mark.parametrize(
    "content",
    [HTML, b"", b"GIF89a" + b"\x00" * 20, b"PK\x03\x04zip", b"  %PDF-1.4 leading space"],
)
def test_uploads_whose_content_is_not_pdf_jpeg_or_png_are_refused(content):
    with pytest.raises(InvalidInput):
        documents.check_upload(upload(content, name="giay-to.pdf"))


def test_an_upload_over_the_size_limit_is_refused(settings):
    settings.DOSSIER_FILE_MAX_BYTES = 1024
    with pytest.raises(InvalidInput):
        documents.check_upload(upload(PDF + b"0" * 2048))


def test_an_electronic_result_must_be_a_pdf():
    with pytest.raises(InvalidInput):
        documents.check_upload(upload(PNG, name="kq.pdf"), allowed=documents.RESULT_TYPES)


def test_a_citizen_submits_online_with_a_file_per_document(client, online_proc, agency_a):
    url = reverse("dossiers:online_submit", args=[online_proc.national_code])
    assert client.get(url).status_code == 200
    response = client.post(url, submit_post(online_proc, agency_a))
    assert response.status_code == 200
    dossier = Dossier.objects.get()
    assert dossier.status == Status.SUBMITTED
    assert dossier.channel == "online"
    assert dossier.code is None
    files = list(dossier.files.order_by("id"))
    assert [f.kind for f in files] == [DossierFile.Kind.APPLICANT] * 2
    assert all(f.content_type == "application/pdf" and f.file.read() == PDF for f in files)
    assert {f.required_document.name for f in files} == {d["name"] for d in dossier.documents}
    reference = OnlineSubmission.objects.get(dossier=dossier).reference
    assert reference.encode() in response.content
    assert list(dossier.events.values_list("action", flat=True)) == ["submit_online", "add_files"]
    # The browser now holds the signed proof: the dossier page opens.
    assert applicant.COOKIE in response.cookies
    assert client.get(reverse("dossiers:online_mine")).status_code == 200


def test_a_pdf_named_file_with_html_content_is_refused_and_nothing_is_stored(
    client, online_proc, agency_a, private_storage
):
    url = reverse("dossiers:online_submit", args=[online_proc.national_code])
    response = client.post(url, submit_post(online_proc, agency_a, files={1: HTML}))
    assert response.status_code == 400
    assert not Dossier.objects.exists()
    assert not DossierFile.objects.exists()
    assert not any(p.is_file() for p in private_storage.rglob("*"))


def test_a_failed_submission_leaves_no_orphan_file(online_proc, agency_a, private_storage):
    archived = online_proc.__class__.objects.get(pk=online_proc.pk)
    docs = list(online_proc.required_documents.all())
    files = [(doc, documents.check_upload(upload(PDF))) for doc in docs]
    archived.status = "archived"
    with pytest.raises(Exception):  # noqa: B017 - the intake service refuses it
        documents.online_submit(
            procedure=archived, agency=agency_a, applicant={"name": "A"}, files=files
        )
    assert not DossierFile.objects.exists()
    assert not any(p.is_file() for p in private_storage.rglob("*"))


def test_procedures_not_offered_online_have_no_submission_page(client, online_proc):
    online_proc.online_mode = "none"
    online_proc.save()
    url = reverse("dossiers:online_submit", args=[online_proc.national_code])
    assert client.get(url).status_code == 404


def test_the_reference_or_code_with_the_secret_opens_the_dossier(client, online_proc, agency_a):
    client.post(
        reverse("dossiers:online_submit", args=[online_proc.national_code]),
        submit_post(online_proc, agency_a),
    )
    client.cookies.clear()
    mine = reverse("dossiers:online_mine")
    assert client.get(mine).status_code == 302
    reference = OnlineSubmission.objects.get().reference
    wrong = client.post(reverse("dossiers:online_access"), {"ref": reference, "secret": "0000"})
    assert wrong.status_code == 400
    assert client.get(mine).status_code == 302
    ok = client.post(reverse("dossiers:online_access"), {"ref": reference, "secret": SECRET})
    assert ok.status_code == 302
    assert client.get(mine).status_code == 200


def test_a_forged_access_cookie_opens_nothing(client, online_proc, agency_a):
    client.post(
        reverse("dossiers:online_submit", args=[online_proc.national_code]),
        submit_post(online_proc, agency_a),
    )
    dossier = Dossier.objects.get()
    client.cookies[applicant.COOKIE] = f"{dossier.pk}:forged:signature"
    assert client.get(reverse("dossiers:online_mine")).status_code == 302


def test_an_online_supplement_is_recorded_through_the_lifecycle(
    client, online_proc, agency_a, desk_a, leader_a
):
    client.post(
        reverse("dossiers:online_submit", args=[online_proc.national_code]),
        submit_post(online_proc, agency_a),
    )
    dossier = Dossier.objects.get()
    services.dossier_transition(actor=desk_a, dossier_id=dossier.pk, action="accept")
    services.dossier_transition(actor=leader_a, dossier_id=dossier.pk, action="start_processing")
    services.dossier_transition(
        actor=leader_a, dossier_id=dossier.pk, action="request_supplement", content="Thiếu ảnh"
    )
    response = client.post(
        reverse("dossiers:online_supplement"), {"file_1": upload(JPEG, name="anh.jpg")}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.files.filter(kind=DossierFile.Kind.SUPPLEMENT).count() == 1
    assert dossier.events.filter(action="receive_supplement", actor=None).count() == 1
    assert dossier.supplements.get(at_intake=False).received_at is not None


def test_a_supplement_is_refused_when_none_was_asked_for(client, online_proc, agency_a):
    client.post(
        reverse("dossiers:online_submit", args=[online_proc.national_code]),
        submit_post(online_proc, agency_a),
    )
    client.post(reverse("dossiers:online_supplement"), {"file_1": upload(PDF)})
    assert not DossierFile.objects.filter(kind=DossierFile.Kind.SUPPLEMENT).exists()


def test_a_citizen_submitting_online_may_decline_messages(client, online_proc, agency_a):
    data = {**submit_post(online_proc, agency_a), "notify": "none"}
    response = client.post(
        reverse("dossiers:online_submit", args=[online_proc.national_code]), data
    )
    assert response.status_code == 200
    assert Dossier.objects.get().applicant_notify == "none"
    page = client.get(reverse("dossiers:online_submit", args=[online_proc.national_code]))
    assert b'name="notify"' in page.content
