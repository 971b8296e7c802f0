"""Pieces every app's admin shares."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet


class NamedInputsFormSet(BaseInlineFormSet):
    """A tabular inline's rows have no <label>s: the column heading names each input for the eye
    only. Each input carries its field's name instead, so a screen reader says what it is
    (WCAG 1.3.1, 4.1.2)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            if not field.label or field.widget.is_hidden:
                continue
            widget = field.widget
            # The admin wraps a related field's widget (with its add/change links); the wrapped
            # widget renders the <select>, and a copied wrapper does not share its attrs.
            while hasattr(widget, "widget"):
                widget = widget.widget
            widget.attrs.setdefault("aria-label", field.label)


class TabularInline(admin.TabularInline):
    """Use this, not Django's, for every tabular inline (a test holds every app to it)."""

    formset = NamedInputsFormSet
