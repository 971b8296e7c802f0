"""Demo data for the reseller program, made through the services: applications in every state,
the demo reseller 博远信息 funded by 华联云分销 and allocating to its own customer. Idempotent."""

from decimal import Decimal

from customers.models import Association
from partnercenter.actor import Actor
from partnercenter.management.commands.seed_demo import ensure_user
from partnercenter.models import Membership, Partner, Role, User

from .models import (
    ApplicationStatus,
    DistributorAuthorization,
    ResellerApplication,
    ResellerInvitation,
    ResellerManagerAssignment,
)
from .services import applications, funds, invitations, relations

S = ApplicationStatus

# (applicant e-mail, name, company, credit code, mobile, the state to reach, reason)
APPLICATIONS = [
    ("applicant-huawei@demo.test", "周航", "启航网络科技有限公司", "91310000MA1K000001",
     "13655550001", S.PENDING_HUAWEI, ""),
    ("applicant-hw-rejected@demo.test", "吴磊", "鸿远商贸有限公司", "91310000MA1K000002",
     "13655550002", S.HUAWEI_REJECTED, "营业执照与统一社会信用代码不一致,请核对后重新申请。"),
    ("applicant-dist@demo.test", "郑洁", "青云智联科技有限公司", "91310000MA1K000003",
     "13655550003", S.PENDING_DISTRIBUTOR, ""),
    ("applicant-dist-rejected@demo.test", "冯涛", "北斗星辰信息有限公司", "91310000MA1K000004",
     "13655550004", S.DISTRIBUTOR_REJECTED, "该区域已有合作的云经销商。"),
    ("applicant-exiting@demo.test", "何静", "锦程数码科技有限公司", "91310000MA1K000005",
     "13655550005", S.EXITING, "业务调整,暂停云经销业务。"),
    ("applicant-exited@demo.test", "许诺", "远帆软件有限公司", "91310000MA1K000006",
     "13655550006", S.EXITED, "公司转型,不再经营云服务。"),
]  # fmt: skip

RESELLER_FUNDING = Decimal("10000.00")
CUSTOMER_ALLOCATION = Decimal("1200.00")


def _member_actor(partner, role=Role.ADMIN):
    member = (
        Membership.objects.active()
        .filter(partner=partner, role=role)
        .select_related("user", "partner")
        .first()
    )
    if member is None:
        return None
    return Actor(user=member.user, partner=partner, membership=member, via="system")


def seed(stdout=None):
    distributor = Partner.objects.get(account_name="hualian-dist")
    reseller = Partner.objects.get(account_name="boyuan-it")
    staff = Actor(user=User.objects.get(email="staff@demo.test"), via="system")
    dist_admin = _member_actor(distributor)
    _boyuan_cooperation(reseller, distributor)
    for spec in APPLICATIONS:
        _application(spec, distributor, staff, dist_admin)
    _fund(reseller, dist_admin)
    if not DistributorAuthorization.objects.filter(reseller=reseller).exists():
        relations.grant_authorization(actor=dist_admin, reseller_pk=reseller.pk)
    if not ResellerManagerAssignment.objects.filter(reseller=reseller).exists():
        relations.assign_account_manager(
            actor=dist_admin, reseller_pks=[reseller.pk], membership_id=dist_admin.membership.pk
        )
    if not ResellerInvitation.objects.filter(distributor=distributor).exists():
        invitations.invite_reseller(
            actor=dist_admin,
            email="invited-reseller@demo.test",
            country_region=distributor.country_region,
        )
    seed_network(distributor)


def _boyuan_cooperation(reseller, distributor):
    """博远信息 predates the program records: its approved application, written directly."""
    if ResellerApplication.objects.filter(partner=reseller).exists():
        return
    admin = _member_actor(reseller)
    ResellerApplication.objects.create(
        applicant=admin.user,
        company_name=reseller.name,
        credit_code="91110000MA1K0B0Y01",
        country_region=reseller.country_region,
        address=reseller.address,
        contact_name=reseller.contact_name,
        contact_phone=reseller.contact_phone,
        contact_email=reseller.contact_email,
        account_name=reseller.account_name,
        distributor=distributor,
        status=S.APPROVED,
        submitted_at=reseller.created_at,
        huawei_reviewed_at=reseller.created_at,
        distributor_reviewed_at=reseller.created_at,
        partner=reseller,
    )


def _application(spec, distributor, staff, dist_admin):
    email, name, company, code, mobile, target, reason = spec
    user = ensure_user(email, name)
    if ResellerApplication.objects.filter(applicant=user).exists():
        return
    application = applications.submit_application(
        actor=Actor(user=user, via="system"),
        details={
            "company_name": company,
            "credit_code": code,
            "country_region": distributor.country_region,
            "contact_name": name,
            "contact_phone": mobile,
            "contact_email": email,
        },
        distributor_id=distributor.pk,
    )
    if target == S.PENDING_HUAWEI:
        return
    approve = target != S.HUAWEI_REJECTED
    applications.huawei_review(
        actor=staff,
        application_id=application.pk,
        approve=approve,
        note=reason if not approve else "",
    )
    if target in (S.HUAWEI_REJECTED, S.PENDING_DISTRIBUTOR):
        return
    approve = target != S.DISTRIBUTOR_REJECTED
    application = applications.distributor_review(
        actor=dist_admin,
        application_id=application.pk,
        approve=approve,
        reason="" if approve else reason,
    )
    if target in (S.DISTRIBUTOR_REJECTED, S.APPROVED):
        return
    applications.request_exit(actor=dist_admin, reseller_id=application.partner_id, reason=reason)
    if target == S.EXITED:
        applications.complete_exit(actor=staff, application_id=application.pk)


def _fund(reseller, dist_admin):
    """The distributor funds 博远信息; 博远信息 allocates to its resale customer 春秋律师事务所."""
    from billing.models import TradeType, Transfer
    from billing.services import funds as customer_funds

    if not funds.history(reseller).exists():
        funds.allocate(
            actor=dist_admin, reseller_pk=reseller.pk, amount=RESELLER_FUNDING, remark="demo"
        )
    if Transfer.objects.filter(partner=reseller, trade_type=TradeType.BEADJUST).exists():
        return
    association = (
        Association.objects.current()
        .filter(partner=reseller, customer__account_name="chunqiu-law")
        .first()
    )
    if association is not None:
        customer_funds.allocate(
            actor=_member_actor(reseller),
            customer_pk=association.customer_id,
            amount=CUSTOMER_ALLOCATION,
            remark="demo",
        )


# --- A reseller network long enough to page through -------------------------------------------
# 华联云分销's 我的云经销商 runs past page one (20 rows). These resellers predate the program records
# (like 博远信息): partners with the cloud reseller program, bulk-inserted, no logins of their own.

NETWORK_SIZE = 26  # with 博远信息 and the approved/exiting applicants: about 30
_CITIES = [
    "杭州",
    "苏州",
    "南京",
    "合肥",
    "福州",
    "厦门",
    "济南",
    "青岛",
    "郑州",
    "武汉",
    "长沙",
    "南昌",
    "成都",
]
_LINES = ["云联", "数智", "信创", "网安"]


def network_rows():
    """(account name, company name, contact name, days ago it joined)"""
    return [
        (
            f"hl-reseller-{i + 1:03d}",
            f"{_CITIES[i % len(_CITIES)]}{_LINES[i % len(_LINES)]}信息技术有限公司",
            f"联系人{i + 1:02d}",
            10 + i * 9,
        )
        for i in range(NETWORK_SIZE)
    ]


def seed_network(distributor):
    from datetime import timedelta

    from django.utils import timezone

    from partnercenter.models import PartnerKind, Program, ProgramMembership, ProgramStatus

    rows = network_rows()
    existing = set(
        Partner.objects.filter(account_name__in=[r[0] for r in rows]).values_list(
            "account_name", flat=True
        )
    )
    rows = [r for r in rows if r[0] not in existing]
    if not rows:
        return 0
    now = timezone.now()
    partners = Partner.objects.bulk_create(
        Partner(
            name=name,
            kind=PartnerKind.RESELLER,
            account_name=account,
            distributor=distributor,
            country_region=distributor.country_region,
            contact_name=contact,
            contact_email=f"contact@{account}.demo.test",
            contact_phone=f"1370000{i:04d}",
            created_at=now - timedelta(days=days),
        )
        for i, (account, name, contact, days) in enumerate(rows)
    )
    if partners and partners[0].pk is None:  # a backend that does not return ids
        partners = list(Partner.objects.filter(account_name__in=[r[0] for r in rows]))
    ProgramMembership.objects.bulk_create(
        ProgramMembership(
            partner=p,
            program=Program.CLOUD_RESELLER,
            status=ProgramStatus.ACTIVE,
            joined_on=timezone.localdate(p.created_at),
        )
        for p in partners
    )
    return len(partners)
