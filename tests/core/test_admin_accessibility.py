"""The Django admin's pages name every input for a screen reader (the axe crawl in
tests/browser/test_a11y_staff_and_customers.py checks the pages as rendered; these pin the two
fixes that live outside the templates)."""

import json

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import translation
from django.views.i18n import JavaScriptCatalog

pytestmark = pytest.mark.django_db


def _tabular_inlines(request):
    for model, model_admin in admin.site._registry.items():
        for inline in model_admin.get_inline_instances(request):
            if isinstance(inline, admin.TabularInline):
                yield model, inline


def test_every_tabular_inline_names_each_input_of_its_rows(staff_user):
    request = RequestFactory().get("/admin/")
    request.user = staff_user
    inlines = list(_tabular_inlines(request))
    assert inlines, "no tabular inline is registered: the test checks nothing"
    for model, inline in inlines:
        formset = inline.get_formset(request)(instance=model())
        form = formset.empty_form  # built as every row is, by the formset's add_fields
        for field in form.visible_fields():
            assert 'aria-label="' in str(field), (inline, field.name, str(field)[:200])


def test_the_admin_date_fields_today_link_is_named_as_it_reads_in_chinese():
    # The link reads 今天; its aria-label "Today (…)" came untranslated from Django's catalogue.
    with translation.override("zh-hans"):
        request = RequestFactory().get("/admin/jsi18n/")
        view = JavaScriptCatalog.as_view(packages=["django.contrib.admin"])
        body = view(request).content.decode()
    assert f'"Today (%(date)s)": {json.dumps("今天（%(date)s）")}' in body
