"""Every upload writes a history row (who, when, why, which files), like every state change.

The class test drives every upload path of the portal (the citizen's online submission, the
supplement after a guidance at intake and after a request during processing, the desk's
scan, the electronic result) through the pages, then checks every stored file against the
history; the paths are also found in dossiers.documents, not listed, so a new one that
stores files without a history row fails here.
"""

from __future__ import annotations

import inspect

import pytest
from django.urls import reverse

from dossiers import documents, services
from dossiers.errors import NotAllowedInState
from dossiers.models import Dossier, DossierEvent, DossierFile
from dossiers.views_common import timeline
from tests.auth import login

from .conftest import HTML, JPEG, PDF, PNG, submit_post, upload
from .test_files_and_payments import _file_routes

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_upload(client, online_proc, agency_a, desk_a, leader_a, specialist_a):
    """One dossier through every upload path, each by the page that offers it."""
    response = client.post(
        reverse("dossiers:online_submit", args=[online_proc.national_code]),
        submit_post(online_proc, agency_a),
    )
    assert response.status_code == 200
    dossier = Dossier.objects.get()
    services.dossier_transition(
        actor=desk_a, dossier_id=dossier.pk, action="guide_incomplete", content="Thiếu ảnh 4x6"
    )
    # The citizen's cookie from the submission still proves access.
    response = client.post(
        reverse("dossiers:online_supplement"), {"file_1": upload(JPEG, name="anh.jpg")}
    )
    assert response.status_code == 302
    services.dossier_transition(actor=desk_a, dossier_id=dossier.pk, action="accept")
    services.dossier_transition(actor=leader_a, dossier_id=dossier.pk, action="start_processing")
    services.dossier_transition(
        actor=leader_a, dossier_id=dossier.pk, action="request_supplement", content="Bản rõ nét"
    )
    response = client.post(
        reverse("dossiers:online_supplement"), {"file_1": upload(PDF, name="bo-sung.pdf")}
    )
    assert response.status_code == 302
    services.dossier_transition(actor=leader_a, dossier_id=dossier.pk, action="mark_result_ready")
    official = client.__class__()
    login(official, desk_a)
    response = official.post(
        reverse("dossiers:online_attach", args=[dossier.pk]),
        {"kind": "scan", "title": "CCCD", "file": upload(PNG, name="cccd.png")},
    )
    assert response.status_code == 302
    login(official, specialist_a)
    response = official.post(
        reverse("dossiers:online_attach", args=[dossier.pk]),
        {"kind": "result", "title": "Giấy khai sinh", "file": upload(PDF, name="kq.pdf")},
    )
    assert response.status_code == 302
    return Dossier.objects.get(pk=dossier.pk)


def test_every_upload_path_writes_one_history_row_per_file(every_upload, desk_a, specialist_a):
    files = list(every_upload.files.order_by("id"))
    # Every kind of file was uploaded by some path (a new kind needs its path here).
    assert {f.kind for f in files} == set(DossierFile.Kind.values)
    assert len(files) == 6  # two documents, two supplements, a scan, the result
    rows = list(every_upload.events.filter(action="add_files").order_by("at", "id"))
    listed = [item["id"] for row in rows for item in row.data["files"]]
    assert sorted(listed) == [f.pk for f in files], "each file in exactly one history row"
    by_file = {item["id"]: row for row in rows for item in row.data["files"]}
    for f in files:
        row = by_file[f.pk]
        assert row.at == f.uploaded_at  # when
        assert row.actor_id == f.uploaded_by_id  # who (None: the applicant, by code + secret)
        assert row.note.strip()  # why
        assert row.from_status == row.to_status  # an upload changes no status
        item = next(i for i in row.data["files"] if i["id"] == f.pk)
        assert (item["kind"], item["sha256"]) == (f.kind, f.sha256)
    scan = by_file[next(f.pk for f in files if f.kind == DossierFile.Kind.SCAN)]
    result = by_file[next(f.pk for f in files if f.kind == DossierFile.Kind.RESULT)]
    assert scan.actor == desk_a and scan.data.get("role")
    assert result.actor == specialist_a and result.data.get("role")


def test_an_upload_row_reads_in_the_timeline_without_the_officials_name_in_public(
    every_upload, desk_a
):
    events = every_upload.events.order_by("at", "id")
    private = [r for r in timeline(events, public=False) if r.action == "add_files"]
    public = [r for r in timeline(events, public=True) if r.action == "add_files"]
    assert len(private) == len(public) == 5
    assert all(r.label and r.label != "add_files" for r in private)
    assert any(r.actor for r in private)
    assert not any(r.actor for r in public)


def test_a_refused_upload_writes_no_history_row(online_proc, agency_a, desk_a, leader_a):
    dossier, _submission = documents.online_submit(
        procedure=online_proc,
        agency=agency_a,
        applicant={"kind": "person", "name": "Lê Thị Mai", "phone": "0987654321"},
        files=[],
    )
    before = DossierEvent.objects.filter(action="add_files").count()
    with pytest.raises(NotAllowedInState):  # a result before the dossier has one
        documents.file_attach(
            actor=leader_a,
            dossier_id=dossier.pk,
            kind="result",
            upload=documents.check_upload(upload(PDF)),
        )
    assert DossierEvent.objects.filter(action="add_files").count() == before
    assert not DossierFile.objects.exists()


def test_every_function_that_stores_a_file_also_writes_its_history_row():
    """Found, not listed: any function of dossiers.documents that stores a file."""
    storing = {
        name: fn
        for name, fn in inspect.getmembers(documents, inspect.isfunction)
        if fn.__module__ == documents.__name__
        and name != "_store"
        and "_store(" in inspect.getsource(fn)
    }
    assert set(storing) >= {"online_submit", "files_add_supplement", "file_attach"}
    for name, fn in storing.items():
        assert "dossier_record_files(" in inspect.getsource(fn), name


# --- the same walk of every path: refusals and who may fetch -------------------------------


def _fetch(client, name: str, row) -> tuple[int, bytes]:
    response = client.get(reverse(f"dossiers:{name}", args=[row.pk]))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


def test_no_file_of_any_kind_reaches_anyone_outside_the_applicant_and_the_agency(
    client, every_upload, online_proc, agency_a, desk_b, outsider
):
    rows = list(every_upload.files.all())
    contents = {bytes(r.file.read()) for r in rows}
    assert {r.kind for r in rows} == set(DossierFile.Kind.values)
    for who in (None, desk_b, outsider):
        client.logout()
        client.cookies.clear()
        if who is not None:
            login(client, who)
        for name in _file_routes():  # found in the URL patterns, not listed
            for row in rows:
                status, body = _fetch(client, name, row)
                assert status in {302, 403, 404}, (who, name, row.kind, status)
                assert not any(c in body for c in contents)
    # Another applicant's proof (a second dossier submitted in this browser).
    client.logout()
    client.post(
        reverse("dossiers:online_submit", args=[online_proc.national_code]),
        submit_post(online_proc, agency_a),
    )
    for row in rows:
        assert _fetch(client, "online_file", row)[0] == 404


@pytest.mark.parametrize("path", ["submission", "supplement", "scan", "result"])
def test_every_upload_path_refuses_a_pdf_name_with_html_content(
    client, path, online_proc, agency_a, desk_a, leader_a, specialist_a, private_storage
):
    """The content decides, never the name: on every path, nothing is stored or recorded."""
    client.post(
        reverse("dossiers:online_submit", args=[online_proc.national_code]),
        submit_post(online_proc, agency_a),
    )
    dossier = Dossier.objects.get()
    html = upload(HTML, name="giay-to.pdf")
    if path == "submission":
        data = {**submit_post(online_proc, agency_a)}
        first = next(k for k in data if k.startswith("doc_"))
        data[first] = html
        url = reverse("dossiers:online_submit", args=[online_proc.national_code])
    elif path == "supplement":
        services.dossier_transition(
            actor=desk_a, dossier_id=dossier.pk, action="guide_incomplete", content="Thiếu ảnh"
        )
        data, url = {"file_1": html}, reverse("dossiers:online_supplement")
    else:
        services.dossier_transition(actor=desk_a, dossier_id=dossier.pk, action="accept")
        if path == "result":
            services.dossier_transition(
                actor=leader_a, dossier_id=dossier.pk, action="mark_result_ready"
            )
        login(client, desk_a if path == "scan" else specialist_a)
        data = {"kind": path, "title": "CCCD", "file": html}
        url = reverse("dossiers:online_attach", args=[dossier.pk])
    before = (
        Dossier.objects.count(),
        DossierFile.objects.count(),
        DossierEvent.objects.filter(action="add_files").count(),
        sorted(p.name for p in private_storage.rglob("*") if p.is_file()),
    )
    response = client.post(url, data)
    assert response.status_code in {302, 400}  # a message on the page, never a 500
    after = (
        Dossier.objects.count(),
        DossierFile.objects.count(),
        DossierEvent.objects.filter(action="add_files").count(),
        sorted(p.name for p in private_storage.rglob("*") if p.is_file()),
    )
    assert after == before
