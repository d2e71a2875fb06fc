"""A kind of import is whatever a handler registered (the framework lists none): jobs of a kind nobody registered
are refused, and a job's kind is named on pages by its handler."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from salesflow.imports import services as imports
from salesflow.imports.handlers import HANDLERS, ImportHandler, handler_for, kind_label, register
from salesflow.imports.models import ImportJob

from ..conftest import fresh

pytestmark = pytest.mark.django_db

CSV = "客户名称\n宁波海天\n".encode()


def test_the_registered_kinds_are_the_handlers_apps_register():
    assert {"customers", "leads"} <= set(HANDLERS)
    assert not ImportJob._meta.get_field("kind").choices
    with translation.override("zh-hans"):
        assert (kind_label("customers"), kind_label("leads")) == ("客户", "销售线索")
    assert kind_label("bank_statements") == "bank_statements"  # a kind nobody registers any more: its code


def test_a_kind_nobody_registered_is_refused(org):
    with pytest.raises(KeyError, match="bank_statements"):
        imports.import_upload(by=fresh(org.admin), kind="bank_statements", file_name="流水.csv", content=CSV)
    assert not ImportJob.objects.exists()
    job = imports.import_upload(by=fresh(org.admin), kind="customers", file_name="客户.csv", content=CSV)
    assert (job.kind, str(job.kind_label)) == ("customers", str(handler_for("customers").label))


def test_a_new_kind_plugs_in_without_touching_the_framework(org, monkeypatch):
    class Payments(ImportHandler):
        kind = "payments"
        label = "Payments"
        capability = "customer.import"
        targets = {"name": ("Name", ["客户名称"])}

    monkeypatch.setitem(HANDLERS, "payments", None)  # restored after the test
    register(Payments())
    job = imports.import_upload(by=fresh(org.admin), kind="payments", file_name="回款.csv", content=CSV)
    assert (ImportJob.objects.get(pk=job.pk).kind, job.kind_label) == ("payments", "Payments")

    class TooLong(ImportHandler):
        kind = "x" * 17

    with pytest.raises(ImproperlyConfigured):
        register(TooLong())
    with pytest.raises(ImproperlyConfigured):
        register(ImportHandler())
