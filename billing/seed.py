"""Demo money: top-ups, credit limits and allocations, made through the same services."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from customers.models import Association
from partnercenter.actor import Actor
from partnercenter.models import Membership, Partner, Role, User

from .models import RemittanceClaim, Transfer
from .services import funds, staff

FUNDING = {
    # partner account: (remittance, credit limit, {customer account name: allocation})
    "yuntu-tech": (
        "50000.00",
        "20000.00",
        {"demo-customer": "1000.00", "hanshan-retail": "3200.00", "lanhai-logistics": "800.50"},
    ),
    "xinghe-data": ("8000.00", "5000.00", {"beichen-auto": "1500.00"}),
    "hualian-dist": ("100000.00", "50000.00", {"dongsheng-mfg": "2000.00"}),
}


def seed(stdout=None):
    staff_user = User.objects.get(email="staff@demo.test")
    staff_actor = Actor(user=staff_user, via="system")
    today = timezone.localdate()
    for account_name, (remit, limit, allocations) in FUNDING.items():
        partner = Partner.objects.get(account_name=account_name)
        if Transfer.objects.filter(partner=partner).exists():
            continue
        claim = staff.claim_remittance(
            actor=_member_actor(partner, Role.FINANCE) or _member_actor(partner, Role.ADMIN),
            amount=remit,
            remitted_on=today - timedelta(days=20),
            payer=partner.name,
            reference=f"DEMO-{account_name.upper()}-001",
        )
        staff.confirm_remittance(actor=staff_actor, claim_id=claim.pk, note="demo")
        staff.set_credit_limit(
            actor=staff_actor, partner=partner, new_limit=limit, reason="年度授信 (demo)"
        )
        member = _member_actor(partner, Role.FINANCE) or _member_actor(partner, Role.ADMIN)
        for customer_account, amount in allocations.items():
            association = (
                Association.objects.current()
                .filter(partner=partner, customer__account_name=customer_account)
                .first()
            )
            if association is not None:
                funds.allocate(
                    actor=member,
                    customer_pk=association.customer_id,
                    amount=Decimal(amount),
                    remark="demo",
                )
        # One claim still waiting for staff, to show the flow.
        if not RemittanceClaim.objects.filter(partner=partner, status="pending").exists():
            staff.claim_remittance(
                actor=member,
                amount="5000.00",
                remitted_on=today - timedelta(days=1),
                payer=partner.name,
                reference=f"DEMO-{account_name.upper()}-002",
            )
    recovered_demo(staff_actor)


def recovered_demo(staff_actor):
    """A recovery on the demo customer, so its 调账记录 shows both directions."""
    yuntu = Partner.objects.get(account_name="yuntu-tech")
    if Transfer.objects.filter(partner=yuntu, trade_type="BERETRIEVE").exists():
        return
    association = (
        Association.objects.current()
        .filter(partner=yuntu, customer__account_name="hanshan-retail")
        .first()
    )
    if association is not None:
        funds.recover(
            actor=_member_actor(yuntu, Role.FINANCE),
            customer_pk=association.customer_id,
            amount=Decimal("200.00"),
            remark="demo",
        )


def _member_actor(partner, role):
    member = (
        Membership.objects.active()
        .filter(partner=partner, role=role)
        .select_related("user", "partner")
        .first()
    )
    if member is None:
        return None
    return Actor(user=member.user, partner=partner, membership=member, via="system")
