"""Files of a dossier: what may be uploaded, storing it, who may read it, 766 figures.

Uploads are PDF, JPEG or PNG, recognised from their first bytes, never from the name or
the browser's Content-Type: a file named "giay-to.pdf" holding HTML is refused, so nothing
we serve back can run as a page. Files live in settings.STORAGES["dossier_files"] (no
public URL) and are served only by dossiers.views_files after the access checks here.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.access import scope_for
from procedures.models import Channel

from . import rules, services
from .errors import InvalidInput, NotAllowedInState, NotFound, NotPermitted
from .models import Dossier, DossierFile, OnlineSubmission
from .models_online import dossier_file_storage, new_reference
from .selectors import access_dossier
from .workflow import Status

Kind = DossierFile.Kind
log = logging.getLogger(__name__)

# The signatures we accept, and the type each proves.
MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
# The electronic result is a (signed) PDF, the form Decree 45/2020/NĐ-CP expects of results
# issued electronically [article not checked]; scans and the applicant's documents may also
# be photographs.
RESULT_TYPES = frozenset({"application/pdf"})
# Statuses in which the applicant may send a supplement, and a result may be attached.
OPEN_FOR_SUPPLEMENT = frozenset({Status.INCOMPLETE, Status.SUPPLEMENT_REQUESTED})
OPEN_FOR_RESULT = frozenset({Status.RESULT_READY, Status.RETURNED})


def max_mb() -> int:
    return settings.DOSSIER_FILE_MAX_BYTES // (1024 * 1024)


def sniff(head: bytes) -> str | None:
    """The MIME type the content proves, or None."""
    for magic, content_type in MAGIC:
        if head.startswith(magic):
            return content_type
    return None


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    content_type: str
    original_name: str


def check_upload(upload, *, allowed: frozenset[str] | None = None) -> CheckedUpload:
    """Read an uploaded file once, refuse it unless its content is an allowed type."""
    limit = settings.DOSSIER_FILE_MAX_BYTES
    if upload is None:
        raise InvalidInput(_("Chưa chọn tệp."))
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise InvalidInput(_("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise InvalidInput(_("Tệp quá lớn: tối đa %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    if not content:
        raise InvalidInput(_("Tệp rỗng."))
    content_type = sniff(content[:16])
    if content_type is None or (allowed is not None and content_type not in allowed):
        names = "PDF" if allowed == RESULT_TYPES else "PDF, JPEG, PNG"
        raise InvalidInput(_("Tệp không đúng định dạng cho phép (%(types)s).") % {"types": names})
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    return CheckedUpload(content=content, content_type=content_type, original_name=name[:255])


def _store(
    dossier: Dossier,
    upload: CheckedUpload,
    *,
    kind: str,
    title: str,
    actor,
    stored: list[str],
    required_document_id: int | None = None,
    at=None,
) -> DossierFile:
    row = DossierFile(
        dossier=dossier,
        kind=kind,
        title=(title or upload.original_name or str(Kind(kind).label))[:500],
        required_document_id=required_document_id,
        original_name=upload.original_name or "tep",
        content_type=upload.content_type,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        uploaded_at=at or timezone.now(),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    row.file.save("upload", ContentFile(upload.content), save=False)
    # The caller deletes these again if its transaction fails (no file without its row).
    stored.append(row.file.name)
    row.save()
    return row


@contextmanager
def storing() -> Iterator[list[str]]:
    """A transaction that removes the files it wrote if it rolls back."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            yield stored
    except BaseException:
        storage = dossier_file_storage()
        for name in stored:
            try:
                storage.delete(name)
            except Exception:  # an orphan file is harmless; the error that matters is raised
                log.warning("could not delete the orphan upload %s", name)
        raise


# --- services ------------------------------------------------------------------------------


def _lock(dossier_id) -> Dossier:
    try:
        return Dossier.objects.select_for_update(of=("self",)).get(pk=dossier_id)
    except (Dossier.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Không tìm thấy hồ sơ.")) from None


def files_add_supplement(*, dossier_id, uploads: list[CheckedUpload], at=None) -> Dossier:
    """The applicant's supplement, sent online (code + secret checked by the caller).

    Stores the files; when the specialist asked for the supplement (Decree 61/2018 art.
    19(4)) it is recorded as received through the lifecycle action, which restarts the
    clock. After a guidance at intake (form 02) the desk then accepts the dossier as today.
    """
    if not uploads:
        raise InvalidInput(_("Chưa chọn tệp bổ sung."))
    at = at or timezone.now()
    with storing() as stored:
        dossier = _lock(dossier_id)
        if dossier.status not in OPEN_FOR_SUPPLEMENT:
            raise NotAllowedInState(_("Hồ sơ không ở trạng thái chờ bổ sung."))
        rows = [
            _store(
                dossier, upload, kind=Kind.SUPPLEMENT, title="", actor=None, stored=stored, at=at
            )
            for upload in uploads
        ]
        services.dossier_record_files(
            actor=None,
            dossier=dossier,
            files=rows,
            at=at,
            note=_("Người nộp gửi %(n)s tệp bổ sung trực tuyến.") % {"n": len(rows)},
            agency_id=dossier.agency_id,
        )
        if dossier.status == Status.SUPPLEMENT_REQUESTED:
            dossier = services.dossier_transition(
                actor=None,
                dossier_id=dossier.pk,
                action="receive_supplement",
                at=at,
                note=_("Người nộp gửi hồ sơ bổ sung trực tuyến (%(n)s tệp).") % {"n": len(uploads)},
            )
    return dossier


def file_attach(
    *, actor, dossier_id, kind: str, upload: CheckedUpload, title: str = ""
) -> DossierFile:
    """An official adds a desk scan (the desk) or the electronic result (the specialist).

    The file row records who and when. A result is a PDF and only once the dossier has a
    result (Circular 01/2018: the result is recorded when ready, then returned).
    """
    if kind not in {Kind.SCAN, Kind.RESULT}:
        raise InvalidInput(_("Loại tệp không hợp lệ."))
    with storing() as stored:
        dossier = _lock(dossier_id)
        scope = scope_for(actor)
        if kind == Kind.SCAN:
            permission = "receive"
            agencies = (dossier.agency_id, dossier.current_agency_id)
            if dossier.status in {Status.INTAKE_REFUSED, Status.WITHDRAWN}:
                raise NotAllowedInState(_("Hồ sơ đã đóng, không đính kèm bản số hóa."))
            why = _("Bộ phận một cửa đính kèm bản số hóa giấy tờ: %(title)s.")
        else:
            permission = "process"
            agencies = (dossier.current_agency_id,)
            if dossier.status not in OPEN_FOR_RESULT:
                raise NotAllowedInState(_("Chỉ đính kèm kết quả điện tử khi hồ sơ đã có kết quả."))
            if upload.content_type not in RESULT_TYPES:
                raise InvalidInput(_("Kết quả điện tử phải là tệp PDF."))
            why = _("Đính kèm kết quả điện tử: %(title)s.")
        agency_id = next((a for a in agencies if a and scope.can(permission, a)), None)
        if agency_id is None:
            raise NotPermitted(_("Tài khoản của bạn không được đính kèm loại tệp này."))
        row = _store(dossier, upload, kind=kind, title=title, actor=actor, stored=stored)
        services.dossier_record_files(
            actor=actor,
            dossier=dossier,
            files=[row],
            at=row.uploaded_at,
            note=why % {"title": row.title},
            agency_id=agency_id,
            permission=permission,
        )
        return row


# --- reads ---------------------------------------------------------------------------------


def files_of(dossier: Dossier) -> QuerySet:
    return dossier.files.select_related("required_document").order_by("uploaded_at", "id")


def access_file_official(user, file_id) -> DossierFile:
    """A file for an official: found only through a dossier the user may see (else 404)."""
    try:
        row = DossierFile.objects.get(pk=int(file_id))
    except (DossierFile.DoesNotExist, ValueError, TypeError):
        raise Http404("file not found") from None
    access_dossier(user, row.dossier_id)
    return row


def access_file_applicant(dossier: Dossier, file_id) -> DossierFile:
    """A file of the dossier the applicant proved (code + secret); others are 404.

    The electronic result waits while a fee asked for at its return is unpaid
    (dossiers.rules.fee_outstanding): NotAllowedInState, which the page shows as a message.
    """
    try:
        row = DossierFile.objects.get(pk=int(file_id), dossier_id=dossier.pk)
    except (DossierFile.DoesNotExist, ValueError, TypeError):
        raise Http404("file not found") from None
    if row.kind == Kind.RESULT and result_held(dossier):
        raise NotAllowedInState(
            _("Kết quả điện tử được tải về sau khi Ông/Bà nộp phí, lệ phí của hồ sơ.")
        )
    return row


def result_held(dossier: Dossier) -> bool:
    """Whether the applicant's download of the electronic result waits for the fee."""
    return rules.fee_outstanding(dossier)


def has_result(dossier: Dossier) -> bool:
    return dossier.files.filter(kind=Kind.RESULT).exists()


# --- Decision 766 figures ------------------------------------------------------------------


def digitisation_terms() -> tuple[dict, dict]:
    """The annotations and aggregates behind the 766 digitisation sub-indicators.

    - documents: received dossiers (with a code) holding at least one stored document (sent
      online or scanned at the desk) out of all received;
    - results: dossiers with a result holding an electronic result out of all with a result.
    Two EXISTS subqueries, whatever the number of dossiers; returned as terms so callers can
    fold them into one statement with other figures.
    """
    docs = DossierFile.objects.filter(
        dossier=OuterRef("pk"), kind__in=[Kind.APPLICANT, Kind.SUPPLEMENT, Kind.SCAN]
    )
    results = DossierFile.objects.filter(dossier=OuterRef("pk"), kind=Kind.RESULT)
    received = Q(code__isnull=False)
    with_result = Q(result_ready_at__isnull=False)
    annotations = {"_docs": Exists(docs), "_result": Exists(results)}
    aggregates = {
        "received": Count("pk", filter=received),
        "received_digitised": Count("pk", filter=received & Q(_docs=True)),
        "with_result": Count("pk", filter=with_result),
        "result_digitised": Count("pk", filter=with_result & Q(_result=True)),
    }
    return annotations, aggregates


def digitisation_figures(dossiers: QuerySet) -> dict[str, int]:
    """Counts behind the 766 digitisation sub-indicators, over the given dossiers."""
    annotations, aggregates = digitisation_terms()
    return dossiers.annotate(**annotations).aggregate(**aggregates)


def online_submit(
    *, procedure, agency, applicant: dict, files: list[tuple], at=None
) -> tuple[Dossier, OnlineSubmission]:
    """A citizen's online submission with one file per required document.

    `files` holds (RequiredDocument, CheckedUpload) pairs. The dossier is created by the
    intake service (services.dossier_submit_online) and waits for the desk to accept,
    guide or refuse it; the files and the submission reference are written in the same
    transaction. Only procedures offered partially or fully online take submissions.
    """
    if procedure.online_mode == procedure.OnlineMode.NONE:
        raise NotAllowedInState(_("Thủ tục này chưa được cung cấp trực tuyến."))
    at = at or timezone.now()
    with storing() as stored:
        dossier = services.dossier_submit_online(
            procedure=procedure,
            agency=agency,
            channel=Channel.ONLINE,
            applicant=applicant,
            documents=[{"name": doc.name, "form": doc.form, "copies": 1} for doc, _upload in files],
            submitted_at=at,
        )
        rows = [
            _store(
                dossier,
                upload,
                kind=Kind.APPLICANT,
                title=doc.name,
                actor=None,
                stored=stored,
                required_document_id=doc.pk,
                at=at,
            )
            for doc, upload in files
        ]
        if rows:
            services.dossier_record_files(
                actor=None,
                dossier=dossier,
                files=rows,
                at=at,
                note=_("Người nộp gửi %(n)s tệp kèm hồ sơ nộp trực tuyến.") % {"n": len(rows)},
                agency_id=agency.pk,
            )
        submission = OnlineSubmission.objects.create(
            dossier=dossier, reference=new_reference("NTT"), created_at=at
        )
    return dossier, submission
