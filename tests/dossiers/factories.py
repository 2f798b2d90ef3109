"""DossierFactory and friends, shared by every area's tests.

Built with the ORM, not through the services: fast, and independent of the calendar. The
due time is simply received_at + 7 days unless given; use the services (dossiers.services)
when the deadline rules themselves are under test.

    DossierFactory()                       received, due in the future
    DossierFactory(agency=a)               received by agency a (and held by it)
    DossierFactory(submitted=True)         online submission waiting for acceptance, no code
    DossierFactory(processing=True)
    DossierFactory(overdue=True)           processing, due time in the past
    DossierFactory(settled=True)           returned, result ready early
    DossierFactory(late=True)              returned, result ready after the due date
    DossierFactory(on_time=True)           returned, result ready on the due date
    DossierFactory(result_ready=True)      result ready, not yet returned (early)
    DossierFactory(supplement=True)        waiting for a supplement (SupplementRequest)
    DossierFactory(transferred=True)       held by another agency (Transfer row)
    DossierFactory(extended=True)          an apology moved the due time (Apology row)
    DossierFactory(refused=True), DossierFactory(withdrawn=True)
    DossierFactory(rated=True)             returned with a rating (all criteria 4)
    RatingFactory(dossier=d, level=2)
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from dossiers.models import (
    Apology,
    Dossier,
    DossierEvent,
    Rating,
    SupplementRequest,
    Transfer,
)
from dossiers.workflow import Status, Timeliness
from dossiers.worklist_search import search_values
from tests.factories import AgencyFactory, ProcedureFactory

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def _code(dossier) -> str | None:
    if dossier.received_at is None:
        return None
    return f"{dossier.agency.identifier_code}-{dossier.sequence_day:%y%m%d}-{dossier.sequence:04d}"


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier
        skip_postgeneration_save = True

    class Params:
        # Timeline: received `ago` before now (2 days; 30 for closed dossiers), due 7 days
        # after receipt.
        ago = timedelta(days=2)
        submitted = factory.Trait(
            status=Status.SUBMITTED,
            channel="online",
            received_at=None,
            clock_started_at=None,
            due_at=None,
            limit_value=None,
            limit_unit="",
            sequence=None,
            sequence_day=None,
        )
        processing = factory.Trait(status=Status.PROCESSING)
        overdue = factory.Trait(
            status=Status.PROCESSING,
            ago=timedelta(days=10),
            due_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        )
        result_ready = factory.Trait(
            ago=timedelta(days=30),
            status=Status.RESULT_READY,
            result_ready_at=factory.LazyAttribute(lambda o: o.due_at - timedelta(days=2)),
            timeliness=Timeliness.EARLY,
        )
        settled = factory.Trait(
            ago=timedelta(days=30),
            status=Status.RETURNED,
            result_ready_at=factory.LazyAttribute(lambda o: o.due_at - timedelta(days=2)),
            returned_at=factory.LazyAttribute(lambda o: o.result_ready_at + timedelta(hours=2)),
            closed_at=factory.SelfAttribute("returned_at"),
            timeliness=Timeliness.EARLY,
        )
        on_time = factory.Trait(
            settled=True,
            result_ready_at=factory.LazyAttribute(lambda o: o.due_at - timedelta(hours=1)),
            timeliness=Timeliness.ON_TIME,
        )
        late = factory.Trait(
            settled=True,
            result_ready_at=factory.LazyAttribute(lambda o: o.due_at + timedelta(days=2)),
            timeliness=Timeliness.LATE,
        )
        refused = factory.Trait(
            ago=timedelta(days=30),
            status=Status.REFUSED,
            closed_at=factory.LazyAttribute(lambda o: o.received_at + timedelta(days=2)),
        )
        withdrawn = factory.Trait(
            ago=timedelta(days=30),
            status=Status.WITHDRAWN,
            closed_at=factory.LazyAttribute(lambda o: o.received_at + timedelta(days=1)),
        )
        supplement = factory.Trait(status=Status.SUPPLEMENT_REQUESTED)
        transferred = factory.Trait(status=Status.TRANSFERRED)
        rated = factory.Trait(
            settled=True,
            rating_row=factory.RelatedFactory("tests.dossiers.factories.RatingFactory", "dossier"),
        )

    procedure = factory.SubFactory(ProcedureFactory)
    field = factory.SelfAttribute("procedure.field")
    agency = factory.SubFactory(AgencyFactory)
    current_agency = factory.SelfAttribute("agency")
    channel = "desk"
    status = Status.RECEIVED
    applicant_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    applicant_id_number = factory.Sequence(lambda n: f"001{n:09d}")
    applicant_phone = factory.Sequence(lambda n: f"09{n:08d}")
    applicant_email = factory.Sequence(lambda n: f"congdan{n}@example.vn")
    applicant_address = "Số 1 phố Tràng Tiền, Hoàn Kiếm, Hà Nội"
    documents = factory.LazyFunction(lambda: [{"name": "Tờ khai", "form": "original", "copies": 1}])
    received_at = factory.LazyAttribute(lambda o: timezone.now() - o.ago)
    submitted_at = factory.LazyAttribute(lambda o: o.received_at or timezone.now() - o.ago)
    clock_started_at = factory.SelfAttribute("received_at")
    limit_value = Decimal("5")
    limit_unit = "working_days"
    due_at = factory.LazyAttribute(lambda o: o.received_at + timedelta(days=7))
    due_explanation = factory.LazyFunction(lambda: {"rule": "factory"})
    # High numbers: never collide with codes the services issue (they start at 0001).
    sequence = factory.Sequence(lambda n: 5000 + n)
    sequence_day = factory.LazyAttribute(
        lambda o: o.received_at.astimezone(HANOI).date() if o.received_at else None
    )
    code = factory.LazyAttribute(_code)
    sync_state = Dossier.SyncState.SYNCED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The search box's columns, as the services write them (dossiers.worklist_search).
        kwargs.update(
            search_values(
                name=kwargs.get("applicant_name"),
                code=kwargs.get("code"),
                phone=kwargs.get("applicant_phone"),
                id_number=kwargs.get("applicant_id_number"),
            )
        )
        return super()._create(model_class, *args, **kwargs)

    @factory.post_generation
    def history(self, create, extracted, **kwargs):
        """One "receive" event (or "submit_online") so history-based code has a start."""
        if not create or extracted is False:
            return
        DossierEvent.objects.create(
            dossier=self,
            at=self.received_at or self.submitted_at,
            agency=self.agency,
            action="receive" if self.received_at else "submit_online",
            to_status=Status.RECEIVED if self.received_at else Status.SUBMITTED,
            due_after=self.due_at,
        )

    @factory.post_generation
    def related(self, create, extracted, **kwargs):
        """The rows a trait implies: SupplementRequest, Transfer, Apology, Rating."""
        if not create:
            return
        if self.status == Status.SUPPLEMENT_REQUESTED:
            SupplementRequest.objects.create(
                dossier=self,
                requested_at=self.received_at + timedelta(days=1),
                content="Bổ sung bản sao giấy tờ tùy thân.",
            )
        if self.status == Status.TRANSFERRED and self.current_agency_id == self.agency_id:
            partner = AgencyFactory()
            Transfer.objects.create(
                dossier=self,
                from_agency=self.agency,
                to_agency=partner,
                sent_at=self.received_at + timedelta(days=1),
                limit_value=Decimal("3"),
                limit_unit="working_days",
                due_at=self.received_at + timedelta(days=5),
            )
            self.current_agency = partner
            self.save(update_fields=["current_agency"])
        if self.extended:
            old_due = self.due_at
            Apology.objects.create(
                dossier=self,
                created_at=old_due - timedelta(days=2),
                reason="Cần xác minh thêm thông tin.",
                old_due_at=old_due,
                new_due_at=old_due + timedelta(days=5),
            )
            self.due_at = old_due + timedelta(days=5)
            self.save(update_fields=["due_at"])


class RatingFactory(factory.django.DjangoModelFactory):
    """RatingFactory(dossier=d, level=2): all six criteria at that level."""

    class Meta:
        model = Rating

    class Params:
        level = 4

    dossier = factory.SubFactory(DossierFactory, settled=True)
    created_at = factory.LazyAttribute(
        lambda o: (o.dossier.returned_at or timezone.now()) + timedelta(hours=1)
    )
    time = factory.SelfAttribute("level")
    contacts = factory.SelfAttribute("level")
    information = factory.SelfAttribute("level")
    attitude = factory.SelfAttribute("level")
    result = factory.SelfAttribute("level")
    overall = factory.SelfAttribute("level")
