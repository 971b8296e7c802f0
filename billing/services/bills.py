"""伙伴账单: the partner's monthly bill, built from its 代售 customers' consumption, and its settlement.

A bill is generated before 12:00 on the 5th (Beijing time) for the previous month (domain §3.6),
one per partner with 代售 consumption in that month, one line per customer × product type ×
billing mode. Generation is idempotent: an unsettled bill is brought in line with the records
(same bill row, same line rows when nothing changed); a settled bill is never touched again.

Settling moves the amount the customers' balances paid (allocated money, already out of the
partner's 账户余额) out of the 充值账户 and the 已拨款 total together — one SETTLE transfer — so
账户余额 = 充值 + 信用 − 已拨款 does not change.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnercenter import audit
from partnercenter.actor import Actor
from partnercenter.errors import DomainError, InvalidTransition, NotFound, PermissionRefused
from partnercenter.models import Membership, NotificationCategory, Role
from partnercenter.notifications import notify
from partnercenter.permissions import P, has_perm

from .. import ledger
from ..errors import InsufficientBalance
from ..models import (
    AccountKind,
    ConsumptionRecord,
    PartnerBill,
    PartnerBillLine,
    PartnerBillStatus,
    TradeType,
)
from ..money import round_cents

RESALE = 2  # association_type of 代售 records
AMOUNT_FIELDS = ("official_amount", "discount_amount", "payable_amount", "debt_amount")
# The bill's and its lines' sum fields; `consumed_amount` sums the records' `amount`.
LINE_FIELDS = (*AMOUNT_FIELDS, "consumed_amount")
EIGHT = Decimal("0.00000001")
CYCLE_RE = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


# --- Billing periods (账期), Beijing time ----------------------------------------------------


def cycle_of(moment):
    """The 'YYYY-MM' Beijing-time month an aware datetime falls in."""
    return timezone.localtime(moment).strftime("%Y-%m")


def previous_cycle(now=None):
    """The month before `now`'s Beijing-time month: what the 5th-of-the-month run bills."""
    first = timezone.localtime(now or timezone.now()).date().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def parse_cycle(value):
    """A valid 'YYYY-MM' string, or None."""
    value = (value or "").strip()
    return value if CYCLE_RE.match(value) else None


def require_closed_cycle(cycle, now=None):
    """A bill covers a whole month: the current (or a future) month cannot be billed yet."""
    if parse_cycle(cycle) is None:
        raise DomainError(_("The billing period must look like 2026-04."), field="cycle")
    if cycle >= cycle_of(now or timezone.now()):
        raise DomainError(
            _("The billing period %(cycle)s has not ended yet.") % {"cycle": cycle},
            field="cycle",
        )
    return cycle


# --- Generation -----------------------------------------------------------------------------


def _q(value):
    return (value or Decimal(0)).quantize(EIGHT)


def _aggregate(cycle, partner_ids=None):
    """{partner_id: {(customer_id, service_type_code, charging_mode): sums}} for one month."""
    qs = ConsumptionRecord.objects.filter(
        bill_cycle=cycle, association_type=RESALE, partner__isnull=False
    )
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=partner_ids)
    rows = (
        qs.values("partner_id", "customer_id", "service_type_code", "charging_mode")
        .annotate(
            official_amount=Sum("official_amount"),
            discount_amount=Sum("discount_amount"),
            payable_amount=Sum("payable_amount"),
            consumed_amount=Sum("amount"),
            debt_amount=Sum("debt_amount"),
            records=Count("id"),
        )
        .order_by("partner_id", "customer_id", "service_type_code", "charging_mode")
    )
    out = defaultdict(dict)
    for r in rows:
        key = (r["customer_id"], r["service_type_code"], r["charging_mode"])
        out[r["partner_id"]][key] = {
            **{f: _q(r[f]) for f in LINE_FIELDS},
            "records": r["records"],
        }
    return out


def _finance_people(partner):
    return [
        m.user
        for m in Membership.objects.active()
        .filter(partner=partner, role__in=[Role.ADMIN, Role.FINANCE])
        .select_related("user")
    ]


@dataclass
class BillResult:
    bill: PartnerBill
    outcome: str  # created | updated | unchanged | settled (left alone)


def _bill_for_update(partner_id, cycle):
    bill = PartnerBill.objects.select_for_update().filter(partner_id=partner_id, bill_cycle=cycle)
    found = bill.first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():  # a savepoint: a concurrent run may create it first
            return PartnerBill.objects.create(partner_id=partner_id, bill_cycle=cycle), True
    except IntegrityError:
        return bill.get(), False


def _sync_bill(partner_id, cycle, lines, *, actor, now):
    """Bring one partner's bill for `cycle` in line with `lines`, inside one transaction."""
    bill, created = _bill_for_update(partner_id, cycle)
    if bill.status == PartnerBillStatus.SETTLED:
        return BillResult(bill, "settled")
    existing = {(x.customer_id, x.service_type_code, x.charging_mode): x for x in bill.lines.all()}
    changed = created
    to_create, to_update = [], []
    for key, sums in lines.items():
        line = existing.pop(key, None)
        if line is None:
            customer_id, service_type_code, charging_mode = key
            to_create.append(
                PartnerBillLine(
                    bill=bill,
                    customer_id=customer_id,
                    service_type_code=service_type_code,
                    charging_mode=charging_mode,
                    **sums,
                )
            )
        elif any(_q(getattr(line, f)) != sums[f] for f in LINE_FIELDS) or (
            line.records != sums["records"]
        ):
            for f, v in sums.items():
                setattr(line, f, v)
            to_update.append(line)
    if existing:
        PartnerBillLine.objects.filter(pk__in=[x.pk for x in existing.values()]).delete()
    if to_create:
        PartnerBillLine.objects.bulk_create(to_create)
    if to_update:
        PartnerBillLine.objects.bulk_update(to_update, [*LINE_FIELDS, "records"])
    changed = changed or bool(existing or to_create or to_update)
    totals = {
        f: sum((s[f] for s in lines.values()), Decimal(0)).quantize(EIGHT) for f in LINE_FIELDS
    }
    if any(_q(getattr(bill, f)) != v for f, v in totals.items()):
        changed = True
    if not changed:
        return BillResult(bill, "unchanged")
    before = None if created else {f: str(_q(getattr(bill, f))) for f in LINE_FIELDS}
    for f, v in totals.items():
        setattr(bill, f, v)
    bill.generated_at = now
    bill.save(update_fields=[*LINE_FIELDS, "generated_at"])
    audit.record(
        "bill.generate",
        actor=actor,
        partner=bill.partner,
        target=bill,
        before=before,
        after={"bill_cycle": cycle, "lines": len(lines), **{f: str(v) for f, v in totals.items()}},
    )
    if created:
        notify(
            _finance_people(bill.partner),
            category=NotificationCategory.FUNDS,
            title=lambda: _("Your partner bill for %(cycle)s is ready") % {"cycle": cycle},
            url=reverse("finance:bills") + f"?cycle={cycle}",
        )
    return BillResult(bill, "created" if created else "updated")


def generate_bills(cycle=None, *, now=None, partners=None, actor=None):
    """Generate (or bring up to date) the partner bills of `cycle` (default: the previous
    Beijing-time month). Idempotent; settled bills are left as they are.

    One transaction per partner, not durable: no money moves here, and the demo seeder and
    tests may call it inside a transaction of their own. Returns [BillResult].
    """
    now = now or timezone.now()
    cycle = require_closed_cycle(cycle or previous_cycle(now), now)
    actor = actor or Actor(user=None, via="task")
    partner_ids = None if partners is None else [getattr(p, "pk", p) for p in partners]
    by_partner = _aggregate(cycle, partner_ids)
    # Unsettled bills whose records have all gone (never in practice: records are kept) are
    # brought to zero rather than left stale.
    stale = PartnerBill.objects.filter(bill_cycle=cycle, status=PartnerBillStatus.UNSETTLED)
    if partner_ids is not None:
        stale = stale.filter(partner_id__in=partner_ids)
    for partner_id in stale.values_list("partner_id", flat=True):
        by_partner.setdefault(partner_id, {})
    results = []
    for partner_id in sorted(by_partner):
        with transaction.atomic():
            results.append(
                _sync_bill(partner_id, cycle, by_partner[partner_id], actor=actor, now=now)
            )
    return results


# --- What a member may see --------------------------------------------------------------------


def visible_bills(membership):
    """The partner's bills, for members holding the 伙伴账单 view item (page, export, API)."""
    if membership is None or not has_perm(membership, P.PARTNER_BILLS_VIEW):
        return PartnerBill.objects.none()
    return PartnerBill.objects.filter(partner_id=membership.partner_id)


def bill_line_as_api(line, bill_cycle):
    """One line in the partner API's monthly-summary shape (partner-api.md §3.5, BillSumInfoV2)."""
    return {
        "bill_cycle": bill_cycle,
        "customer_id": line.customer.customer_id,
        "cloud_service_type": line.service_type_code,
        "charge_mode": str(line.charging_mode),
        "bill_type": "0",
        "official_amount": line.official_amount,
        "discount_amount": line.discount_amount,
        "payment_amount": line.payable_amount,
        "amount": line.consumed_amount,
        "debt_amount": line.debt_amount,
        "measure_id": 1,
    }


# --- Settlement -------------------------------------------------------------------------------


def settlement_amount(bill):
    """What settling moves: the amount deducted from customers' balances, to the cent."""
    return round_cents(bill.consumed_amount)


@transaction.atomic(durable=True)
def settle_bill(*, actor, bill_id):
    """结算: SETTLE transfer [(充值账户, −x), (已拨款, +x)], x = the bill's deducted amount.

    Refused when the 充值账户 holds less than x. A settled bill stays settled: a second call is
    refused and moves nothing (the bill row is locked, and the transfer's request key is unique).
    """
    if not has_perm(actor.membership, P.PARTNER_BILLS_SETTLE):
        raise PermissionRefused(_("Your role does not allow settling partner bills."))
    bill = (
        PartnerBill.objects.select_for_update(of=("self",))
        .select_related("partner")
        .filter(pk=bill_id, partner_id=actor.partner.pk)
        .first()
    )
    if bill is None:
        raise NotFound(_("Bill not found."))
    if bill.status == PartnerBillStatus.SETTLED:
        raise InvalidTransition(_("This bill has already been settled."))
    partner = bill.partner
    amount = settlement_amount(bill)
    transfer = None
    if amount > 0:
        recharge = ledger.partner_account(partner, AccountKind.PARTNER_RECHARGE)
        allocated = ledger.partner_account(partner, AccountKind.PARTNER_ALLOCATED)

        def check(locked):
            held = locked[recharge.pk].balance
            if held < amount:
                raise InsufficientBalance(
                    _(
                        "Insufficient recharge account balance: settling this bill needs "
                        "%(amount)s yuan and your recharge account holds %(balance)s yuan. "
                        "Top up first under Fund management > Recharge."
                    )
                    % {"amount": amount, "balance": held}
                )

        transfer, _created = ledger.post_transfer(
            trade_type=TradeType.SETTLE,
            legs=[(recharge, -amount), (allocated, amount)],
            actor=actor,
            amount=amount,
            partner=partner,
            remark=_("Partner bill %(cycle)s") % {"cycle": bill.bill_cycle},
            request_key=f"bill-settle:{bill.pk}",
            check=check,
        )
    bill.status = PartnerBillStatus.SETTLED
    bill.settled_at = timezone.now()
    bill.settled_by = actor.user
    bill.settlement = transfer
    bill.save(update_fields=["status", "settled_at", "settled_by", "settlement"])
    audit.record(
        "bill.settle",
        actor=actor,
        partner=partner,
        target=bill,
        before={"status": PartnerBillStatus.UNSETTLED},
        after={
            "status": PartnerBillStatus.SETTLED,
            "amount": str(amount),
            "trans_id": transfer.trans_id if transfer else None,
        },
    )
    return bill
