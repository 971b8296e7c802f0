"""The 我的云经销商 export (导出): the list's filters, personal data masked, with balances."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnercenter.exports import job_filters, only_selected, register
from partnercenter.masking import mask_email, mask_phone
from partnercenter.permissions import P

from .forms import ResellerFilterForm
from .selectors import filter_resellers, my_resellers
from .services.funds import funds_of

CHUNK = 500


def _queryset(job):
    params, _query = job_filters(job, ResellerFilterForm)
    return only_selected(job, filter_resellers(my_resellers(job.membership), params))


def headers(job):
    return [
        _("Cloud reseller ID"),
        _("Account name"),
        _("Cloud reseller name"),
        _("Mobile"),
        _("E-mail"),
        _("Associated at"),
        _("Account balance"),
    ]


def rows(job):
    chunk = []
    for reseller in _queryset(job).iterator(chunk_size=CHUNK):
        chunk.append(reseller)
        if len(chunk) == CHUNK:
            yield from _rows(chunk)
            chunk = []
    yield from _rows(chunk)


def _rows(resellers):
    balances = funds_of(resellers)  # one query per chunk, not per row
    for r in resellers:
        yield [
            r.domain_id,
            r.account_name,
            r.name,
            mask_phone(r.contact_phone),
            mask_email(r.contact_email),
            timezone.localtime(r.associated_at).strftime("%Y-%m-%d %H:%M:%S"),
            balances[r.pk].balance,
        ]


def count(job):
    return _queryset(job).count()


register(
    "resellers",
    label=gettext_lazy("My cloud resellers"),
    item=P.RESELLER_LIST_VIEW,
    headers=headers,
    rows=rows,
    count=count,
)
