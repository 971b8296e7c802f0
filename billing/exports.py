"""Exports of 调账记录 and 收支明细 (导出), through the core export framework."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnercenter.exports import job_filters, local_time, only_selected, register
from partnercenter.masking import mask_name
from partnercenter.permissions import P

from .forms import AdjustmentFilterForm, LedgerFilterForm
from .models import TradeType


def _adjustments(job):
    from .views.records import adjustment_records

    params, _query = job_filters(job, AdjustmentFilterForm)
    return only_selected(job, adjustment_records(job.membership, params))


register(
    "adjustments",
    label=gettext_lazy("Adjustment records"),
    item=P.ADJUST_RECORDS_VIEW,
    headers=lambda job: [
        _("Transaction ID"),
        _("Customer"),
        _("Type"),
        _("Amount"),
        _("Time"),
        _("Operator"),
        _("Remark"),
    ],
    rows=lambda job: (
        [
            t.trans_id,
            mask_name(t.customer.name)
            if t.customer
            else (t.counterparty.name if t.counterparty else ""),
            str(TradeType(t.trade_type).label),
            t.amount,
            local_time(t.created_at),
            t.created_by.display_name if t.created_by else "",
            t.remark,
        ]
        for t in _adjustments(job)
        .select_related("customer", "counterparty", "created_by")
        .iterator(chunk_size=1000)
    ),
    count=lambda job: _adjustments(job).count(),
)


def _ledger(job):
    from .views.funds import ledger_rows

    params, query = job_filters(job, LedgerFilterForm)
    return ledger_rows(job.partner, query.get("account", "recharge"), params)


register(
    "account_changes",
    label=gettext_lazy("Income and expense details"),
    item=P.FUNDS_VIEW,
    headers=lambda job: [
        _("Time"),
        _("Transaction ID"),
        _("Trade type"),
        _("Income/expense"),
        _("Amount"),
        _("Balance after change"),
        _("Remark"),
    ],
    rows=lambda job: (
        [
            local_time(p.created_at),
            p.transfer.trans_id,
            str(TradeType(p.transfer.trade_type).label),
            _("Income") if p.amount > 0 else _("Expense"),
            p.amount,
            p.balance_after,
            p.transfer.remark,
        ]
        for p in _ledger(job).iterator(chunk_size=1000)
    ),
    count=lambda job: _ledger(job).count(),
)


# --- 伙伴账单 detail lines (导出账单明细) -------------------------------------------------------


def _bill_for_export(job):
    from .services.bills import parse_cycle, visible_bills

    bills = visible_bills(job.membership)
    cycle = parse_cycle(str((job.params.get("filters") or {}).get("cycle") or ""))
    if cycle is None:  # the page's default: the latest bill
        return bills.order_by("-bill_cycle").first()
    return bills.filter(bill_cycle=cycle).first()


def _bill_lines(job):
    from .models import PartnerBillLine
    from .views.bills import bill_lines

    bill = _bill_for_export(job)
    qs = bill_lines(bill) if bill is not None else PartnerBillLine.objects.none()
    return bill, only_selected(job, qs)


def _bill_line_rows(job):
    from .views.bills import mode_label, product_names

    bill, qs = _bill_lines(job)
    names = product_names()
    for line in qs.iterator(chunk_size=1000):
        yield [
            bill.bill_cycle,
            mask_name(line.customer.name),
            line.customer.customer_id,
            names.get(line.service_type_code, ""),
            line.service_type_code,
            str(mode_label(line.charging_mode)),
            line.official_amount,
            line.discount_amount,
            line.payable_amount,
            line.consumed_amount,
            line.debt_amount,
            line.records,
        ]


register(
    "partner_bill_lines",
    label=gettext_lazy("Partner bill details"),
    item=P.PARTNER_BILLS_VIEW,
    headers=lambda job: [
        _("Billing period"),
        _("Customer name"),
        _("Customer ID"),
        _("Product type"),
        _("Cloud service type"),
        _("Billing mode"),
        _("List price"),
        _("Discount"),
        _("Amount payable"),
        _("Amount deducted"),
        _("Arrears"),
        _("Records"),
    ],
    rows=_bill_line_rows,
    count=lambda job: _bill_lines(job)[1].count(),
)
