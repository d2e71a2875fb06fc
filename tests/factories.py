"""factory-boy factories for the foundation. Org units get their materialised path the way the service
sets it (``services._set_path`` after the first save); customers get their search keys from the service's
``_derive`` so searches and duplicate checks see them exactly as real data."""

from __future__ import annotations

import itertools
from decimal import Decimal

import factory
from stdnum.cn import uscc

from salesflow.core.chinese import clean_phone
from salesflow.crm.models import Contact, Customer
from salesflow.crm.services import _derive
from salesflow.org.models import OrgUnit, UnitKind, User
from salesflow.org.roles import Role
from salesflow.org.selectors import region_of
from salesflow.org.services import _set_path

PASSWORD = "Lantern-Quartz-2468"  # passes the password validators

_codes = itertools.count(100000001)


def credit_code(seed: int | None = None) -> str:
    """A valid unified social credit code (check digit computed by python-stdnum)."""
    body = f"91310000{seed if seed is not None else next(_codes):09d}"[:17]
    return body + uscc.calc_check_digit(body)


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"单位{n}")
    code = factory.Sequence(lambda n: f"U{n:04d}")
    kind = UnitKind.TEAM
    parent = None

    @factory.post_generation
    def materialise_path(obj, create, extracted, **kwargs):
        if create:
            _set_path(obj)
            obj.save(update_fields=["path"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.LazyAttribute(lambda o: o.username)
    role = Role.REP
    unit = None
    manager = None
    is_staff = factory.LazyAttribute(lambda o: o.role == Role.ADMIN)
    is_superuser = factory.LazyAttribute(lambda o: o.role == Role.ADMIN)

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"测试客户{n:05d}贸易有限公司")
    owner = factory.SubFactory(UserFactory)
    unit = factory.LazyAttribute(lambda o: o.owner.unit)
    region = factory.LazyAttribute(lambda o: region_of(o.owner.unit))
    credit_limit = Decimal("100000.00")
    created_by = factory.LazyAttribute(lambda o: o.owner)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        _derive(obj)
        obj.save()
        return obj


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    phone_digits = factory.LazyAttribute(lambda o: clean_phone(o.phone)[1])
    is_primary = True
