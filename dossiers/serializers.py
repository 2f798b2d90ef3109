"""Serializers of the dossier API: thin; every write goes through dossiers.services."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from procedures.access import scope_for
from procedures.models import Agency, Channel, Procedure, RequiredDocument, TimeUnit
from procedures.serializers import AgencyRefSerializer

from . import rules
from .models import Dossier, DossierEvent
from .notifications.choices import NotifyChoice
from .rules import actions_for
from .workflow import Status, Timeliness


class InstantField(serializers.DateTimeField):
    """An aware instant in UTC, bounded to 1900–2200 (see dossiers.filters.InstantFilter)."""

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        try:
            parsed = parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            parsed = None
        if parsed is None or not 1900 <= parsed.year <= 2200:
            raise serializers.ValidationError(_("Thời điểm phải trong khoảng năm 1900–2200."))
        return parsed


class ProcedureRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Procedure
        fields = ["id", "national_code", "name"]


class DossierListSerializer(serializers.ModelSerializer):
    procedure = ProcedureRefSerializer(read_only=True)
    agency = AgencyRefSerializer(read_only=True)
    current_agency = AgencyRefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    # Blank until the result exists: declared so the schema allows "".
    timeliness = serializers.ChoiceField(
        choices=Timeliness.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Dossier
        fields = [
            "id",
            "code",
            "status",
            "status_label",
            "procedure",
            "field",
            "agency",
            "current_agency",
            "channel",
            "applicant_name",
            "submitted_at",
            "received_at",
            "due_at",
            "timeliness",
            "is_overdue",
            "sync_state",
            "synced_at",
            "updated_at",
        ]
        read_only_fields = fields


class SyncInfoSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=Dossier.SyncState.choices)
    synced_at = serializers.DateTimeField(allow_null=True)
    pending_messages = serializers.IntegerField()
    last_error = serializers.CharField(allow_blank=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)


class DossierDetailSerializer(DossierListSerializer):
    allowed_actions = serializers.SerializerMethodField()
    sync = serializers.SerializerMethodField()

    class Meta(DossierListSerializer.Meta):
        fields = [
            *DossierListSerializer.Meta.fields,
            "applicant_kind",
            "applicant_id_number",
            "applicant_phone",
            "applicant_email",
            "applicant_address",
            "documents",
            "clock_started_at",
            "limit_value",
            "limit_unit",
            "limit_case",
            "due_explanation",
            "assignee",
            "signed_off_at",
            "extended",
            "result_ready_at",
            "returned_at",
            "closed_at",
            "fee_amount",
            "fee_paid_at",
            "allowed_actions",
            "sync",
        ]
        read_only_fields = fields

    limit_unit = serializers.ChoiceField(choices=TimeUnit.choices, allow_blank=True, read_only=True)

    def get_allowed_actions(self, dossier) -> list[str]:
        """What the user may do now (selectors.dossier_access / dossiers.rules.actions_for)."""
        actions = self.context.get("actions")
        if actions is None:
            request = self.context.get("request")
            actions = actions_for(scope_for(request.user if request else None), dossier)
        return [a.name for a in actions]

    @extend_schema_field(SyncInfoSerializer)
    def get_sync(self, dossier) -> dict:
        pending = dossier.outbox.filter(delivered_at__isnull=True).order_by("id")
        first = pending.first()
        return {
            "state": dossier.sync_state,
            "synced_at": dossier.synced_at,
            "pending_messages": pending.count(),
            "last_error": first.last_error if first else "",
            "next_attempt_at": first.next_attempt_at if first else None,
        }


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    from_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)
    to_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)
    agency = AgencyRefSerializer(read_only=True)

    class Meta:
        model = DossierEvent
        fields = [
            "id",
            "at",
            "action",
            "from_status",
            "to_status",
            "actor",
            "agency",
            "note",
            "due_before",
            "due_after",
            "data",
        ]
        read_only_fields = fields

    def get_actor(self, event) -> str | None:
        if event.actor_id is None:
            return None
        return rules.person_name(event.actor)


# --- intake ----------------------------------------------------------------------------


class ApplicantSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=Dossier.ApplicantKind.choices, default=Dossier.ApplicantKind.PERSON
    )
    name = serializers.CharField(max_length=255)
    id_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=500, required=False, allow_blank=True)
    # Issue 13: the applicant may decline SMS / e-mail; both by default.
    notify = serializers.ChoiceField(choices=NotifyChoice.choices, default=NotifyChoice.ALL)


class DocumentSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=500)
    form = serializers.ChoiceField(
        choices=RequiredDocument.Form.choices, default=RequiredDocument.Form.ORIGINAL
    )
    copies = serializers.IntegerField(min_value=1, max_value=100, default=1)


class _IntakeBase(serializers.Serializer):
    procedure = serializers.PrimaryKeyRelatedField(queryset=Procedure.objects.all())
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    applicant = ApplicantSerializer()
    documents = DocumentSerializer(many=True, required=False, default=list, max_length=100)


class IntakeSerializer(_IntakeBase):
    """Intake at the desk or by post: receive (form 01), guide (form 02) or refuse (form 03)."""

    OUTCOMES = [
        ("receive", _("Tiếp nhận (Mẫu 01)")),
        ("guide_incomplete", _("Hướng dẫn bổ sung (Mẫu 02)")),
        ("refuse_intake", _("Từ chối tiếp nhận (Mẫu 03)")),
    ]
    channel = serializers.ChoiceField(
        choices=[(Channel.DESK.value, Channel.DESK.label), (Channel.POST.value, Channel.POST.label)]
    )
    outcome = serializers.ChoiceField(choices=OUTCOMES, default="receive")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    missing = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000, help_text=_("Mẫu 02")
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000, help_text=_("Mẫu 03")
    )

    case = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=255,
        help_text=_("Trường hợp (thời hạn riêng trong danh mục thủ tục); trống: mặc định."),
    )

    def validate(self, attrs):
        # The desk form's rule (dossiers.rules.applicant_errors): a received dossier needs a
        # phone or an ID number, well formed, so that the applicant can open the lookup.
        errors = rules.applicant_errors(attrs["applicant"], receiving=attrs["outcome"] == "receive")
        if errors:
            raise serializers.ValidationError({"applicant": errors})
        if attrs["outcome"] == "guide_incomplete" and not attrs["missing"].strip():
            raise serializers.ValidationError(
                {"missing": [_("Cần ghi đầy đủ các giấy tờ còn thiếu (Mẫu 02).")]}
            )
        if attrs["outcome"] == "refuse_intake" and not attrs["reason"].strip():
            raise serializers.ValidationError(
                {"reason": [_("Cần ghi rõ lý do từ chối tiếp nhận (Mẫu 03).")]}
            )
        return attrs


class OnlineSubmitSerializer(_IntakeBase):
    channel = serializers.ChoiceField(
        choices=[
            (Channel.ONLINE.value, Channel.ONLINE.label),
            (Channel.DVCQG.value, Channel.DVCQG.label),
        ]
    )

    def validate(self, attrs):
        errors = rules.applicant_errors(attrs["applicant"], receiving=True)
        if errors:
            raise serializers.ValidationError({"applicant": errors})
        return attrs


# --- lifecycle actions -----------------------------------------------------------------


class ActionSerializer(serializers.Serializer):
    """Every action takes an optional note; subclasses add the action's own parameters."""

    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def params(self) -> dict:
        data = dict(self.validated_data)
        data.pop("note", None)
        return data


class ContentActionSerializer(ActionSerializer):
    content = serializers.CharField(max_length=5000)


class ReasonActionSerializer(ActionSerializer):
    reason = serializers.CharField(max_length=5000)


class TransferActionSerializer(ActionSerializer):
    to_agency_id = serializers.IntegerField(min_value=1)
    limit_value = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=Decimal("0.1"), coerce_to_string=False
    )
    limit_unit = serializers.ChoiceField(choices=TimeUnit.choices)


class ApologizeActionSerializer(ActionSerializer):
    reason = serializers.CharField(max_length=5000)
    new_due_at = InstantField()


class RequestFeeActionSerializer(ActionSerializer):
    fee_amount = serializers.DecimalField(
        max_digits=14, decimal_places=0, min_value=Decimal(0), coerce_to_string=False
    )


class AcceptActionSerializer(ActionSerializer):
    documents = DocumentSerializer(many=True, required=False, max_length=100)
    case = serializers.CharField(required=False, allow_blank=True, max_length=255)

    def params(self) -> dict:
        data = super().params()
        if "documents" in data:
            data["documents"] = [dict(d) for d in data["documents"]]
        return data


class AssignActionSerializer(ActionSerializer):
    assignee_id = serializers.IntegerField(min_value=1)


class ReceiveSupplementActionSerializer(ActionSerializer):
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


ACTION_SERIALIZERS: dict[str, type[ActionSerializer]] = {
    "accept": AcceptActionSerializer,
    "assign": AssignActionSerializer,
    "receive_supplement": ReceiveSupplementActionSerializer,
    "guide_incomplete": ContentActionSerializer,
    "refuse_intake": ReasonActionSerializer,
    "request_supplement": ContentActionSerializer,
    "request_fee": RequestFeeActionSerializer,
    "request_fee_on_return": RequestFeeActionSerializer,
    "transfer": TransferActionSerializer,
    "suspend": ReasonActionSerializer,
    "apologize": ApologizeActionSerializer,
    "refuse": ReasonActionSerializer,
}


def action_serializer(name: str) -> type[ActionSerializer]:
    return ACTION_SERIALIZERS.get(name, ActionSerializer)
