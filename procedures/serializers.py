"""Serializers of the public catalogue API (read only)."""

from __future__ import annotations

from rest_framework import serializers

from .models import Agency, Field, Procedure, ProcedureTimeLimit, RequiredDocument


class FieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = Field
        fields = ["id", "code", "name"]


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = [
            "id",
            "name",
            "short_name",
            "level",
            "unit_type",
            "identifier_code",
            "gso_code",
            "parent",
            "valid_from",
            "valid_to",
            "successor",
            "address",
            "phone",
        ]


class AgencyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "identifier_code"]


class RequiredDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequiredDocument
        fields = ["name", "form", "copies", "mandatory"]


class TimeLimitSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcedureTimeLimit
        fields = ["channel", "case", "value", "unit"]


class ProcedureListSerializer(serializers.ModelSerializer):
    field = FieldSerializer(read_only=True)

    class Meta:
        model = Procedure
        fields = [
            "id",
            "national_code",
            "local_code",
            "name",
            "field",
            "at_city",
            "at_district",
            "at_commune",
            "time_limit_value",
            "time_limit_unit",
            "fee",
            "online_mode",
            "dvcqg_integrated",
            "status",
        ]


class ProcedureDetailSerializer(ProcedureListSerializer):
    agencies = AgencyRefSerializer(many=True, read_only=True)
    required_documents = RequiredDocumentSerializer(many=True, read_only=True)
    time_limits = TimeLimitSerializer(many=True, read_only=True)

    class Meta(ProcedureListSerializer.Meta):
        fields = [
            *ProcedureListSerializer.Meta.fields,
            "fee_note",
            "steps",
            "legal_basis",
            "result_document",
            "legacy_level",
            "dvcqg_integrated_on",
            "supplement_request_days",
            "valid_from",
            "valid_to",
            "agencies",
            "required_documents",
            "time_limits",
        ]
