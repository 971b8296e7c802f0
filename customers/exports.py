"""The customer list export (导出): all rows matching the list's filters, personal data masked."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnercenter.exports import job_filters, only_selected, register
from partnercenter.masking import mask_account, mask_email, mask_name, mask_phone
from partnercenter.models import Membership
from partnercenter.permissions import P

from .filters import filter_associations
from .forms import CustomerFilterForm
from .models import AssociationType
from .selectors import visible_associations


def _queryset(job):
    managers = Membership.objects.active().filter(partner=job.partner).select_related("user")
    params, _query = job_filters(job, CustomerFilterForm, managers=managers)
    return only_selected(job, filter_associations(visible_associations(job.membership), params))


def headers(job):
    return [
        _("Customer name"),
        _("Account name"),
        _("Customer ID"),
        _("Association type"),
        _("Associated at"),
        _("Account manager"),
        _("Mobile"),
        _("E-mail"),
        _("Tag"),
    ]


def rows(job):
    qs = _queryset(job).select_related("customer", "account_manager__user")
    for a in qs.iterator(chunk_size=1000):
        c = a.customer
        yield [
            mask_name(c.name),
            mask_account(c.account_name),
            c.customer_id,
            str(AssociationType(a.association_type).label),
            timezone.localtime(a.associated_at).strftime("%Y-%m-%d %H:%M:%S"),
            a.account_manager.user.display_name if a.account_manager else "",
            mask_phone(c.mobile),
            mask_email(c.email),
            a.tag,
        ]


def count(job):
    return _queryset(job).count()


register(
    "customers",
    label=gettext_lazy("Customer list"),
    item=P.CUSTOMER_EXPORT,
    headers=headers,
    rows=rows,
    count=count,
)
