"""factory_boy factories shared by the whole suite."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from procedures.models import Agency, Field, Membership, Procedure
from procedures.search import search_text_for


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Văn A"
    last_name = "Nguyễn"
    # Hashed before the first save, so logins through the real form work.
    password = factory.django.Password("mat-khau-thu-nghiem")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("identifier_code",)

    name = factory.Sequence(lambda n: f"UBND phường Thử nghiệm {n}")
    level = Agency.Level.COMMUNE
    unit_type = Agency.UnitType.WARD
    identifier_code = factory.Sequence(lambda n: f"{n:03d}.99.00.H26")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Membership.Role.DESK


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"LV{n:03d}")
    name = factory.Sequence(lambda n: f"Lĩnh vực thử nghiệm {n}")


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ("national_code",)
        skip_postgeneration_save = True

    national_code = factory.Sequence(lambda n: f"1.{900000 + n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm số {n}")
    field = factory.SubFactory(FieldFactory)
    at_commune = True
    time_limit_value = Decimal("5")
    time_limit_unit = "working_days"
    status = Procedure.Status.PUBLISHED
    # What procedure_save would store, so factory-made procedures are found by search.
    search_text = factory.LazyAttribute(
        lambda o: search_text_for(name=o.name, national_code=o.national_code)
    )

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if create and extracted:
            self.agencies.set(extracted)
