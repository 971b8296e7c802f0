"""Demo customers, invitations and association events (called by manage.py seed_demo)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from partnercenter.models import Membership, Partner, Role

from .content import CURRENT_NOTICE
from .models import (
    AccountManagerAssignment,
    Association,
    AssociationEvent,
    AssociationType,
    Authorization,
    AuthorizationStatus,
    Customer,
    CustomerKind,
    CustomerUser,
    EventStatus,
    EventType,
    Initiator,
    Invitation,
    InvitationKind,
    InvitationStatus,
    NoticeSignature,
)

R, T = AssociationType.RESALE, AssociationType.REFERRAL

# partner account name → [(account name, customer name, type, days ago associated, AM e-mail, tag, e-mail, mobile)]
CUSTOMERS = {
    "yuntu-tech": [
        (
            "demo-customer",
            "示例客户科技有限公司",
            R,
            40,
            None,
            "",
            "customer@demo.test",
            "13911110001",
        ),
        (
            "hanshan-retail",
            "寒山零售连锁有限公司",
            R,
            120,
            "sp-am@demo.test",
            "sp-am",
            "it@hanshan.demo.test",
            "13911110002",
        ),
        (
            "qingniao-edu",
            "青鸟教育科技有限公司",
            T,
            200,
            "sp-am@demo.test",
            "",
            "ops@qingniao.demo.test",
            "13911110003",
        ),
        (
            "lanhai-logistics",
            "蓝海物流有限公司",
            R,
            15,
            None,
            "展会2026",
            "cloud@lanhai.demo.test",
            "13911110004",
        ),
        ("zhang-sanming", "张三明", T, 5, None, "", "zsm@personal.demo.test", "13911110005"),
        (
            "jinghua-med",
            "京华医疗器械有限公司",
            R,
            300,
            "sp-am@demo.test",
            "",
            "it@jinghua.demo.test",
            "13911110006",
        ),
        (
            "tianyi-games",
            "天弈游戏工作室",
            T,
            60,
            None,
            "yuntu-tech",
            "dev@tianyi.demo.test",
            "13911110007",
        ),
    ],
    "xinghe-data": [
        (
            "beichen-auto",
            "北辰汽车零部件有限公司",
            R,
            90,
            None,
            "",
            "it@beichen.demo.test",
            "13922220001",
        ),
        (
            "nanfeng-food",
            "南风食品有限公司",
            T,
            30,
            None,
            "",
            "ops@nanfeng.demo.test",
            "13922220002",
        ),
    ],
    "hualian-dist": [
        (
            "dongsheng-mfg",
            "东升制造有限公司",
            R,
            100,
            None,
            "",
            "it@dongsheng.demo.test",
            "13933330001",
        ),
        ("xiyu-travel", "西域旅行社有限公司", T, 45, None, "", "ops@xiyu.demo.test", "13933330002"),
    ],
    "boyuan-it": [
        ("chunqiu-law", "春秋律师事务所", R, 70, None, "", "it@chunqiu.demo.test", "13944440001"),
        ("moyun-design", "墨韵设计工作室", T, 20, None, "", "hi@moyun.demo.test", "13944440002"),
    ],
}


def _member(email):
    return Membership.objects.active().filter(user__email=email).select_related("user").first()


def _admin(partner):
    return (
        Membership.objects.active()
        .filter(partner=partner, role=Role.ADMIN)
        .select_related("user")
        .first()
    )


def seed(stdout=None):
    from partnercenter.management.commands.seed_demo import ensure_user

    now = timezone.now()
    with transaction.atomic():
        for partner_account, rows in CUSTOMERS.items():
            partner = Partner.objects.get(account_name=partner_account)
            admin = _admin(partner)
            for account, name, atype, days, am_email, tag, email, mobile in rows:
                since = now - timedelta(days=days)
                customer, _ = Customer.objects.get_or_create(
                    account_name=account,
                    defaults={
                        "name": name,
                        "kind": CustomerKind.INDIVIDUAL
                        if len(name) <= 4
                        else CustomerKind.ENTERPRISE,
                        "email": email,
                        "mobile": mobile,
                        "created_at": since - timedelta(days=2),
                    },
                )
                if email == "customer@demo.test":
                    user = ensure_user(email, "示例客户管理员")
                    CustomerUser.objects.get_or_create(user=user, defaults={"customer": customer})
                if customer.associations.exists():
                    continue
                am = _member(am_email) if am_email else None
                association = Association.objects.create(
                    customer=customer,
                    partner=partner,
                    association_type=atype,
                    associated_at=since,
                    account_manager=am,
                    account_manager_since=since if am else None,
                    tag=tag,
                )
                if am:
                    AccountManagerAssignment.objects.create(
                        association=association, account_manager=am, assigned_at=since
                    )
                AssociationEvent.objects.create(
                    partner=partner,
                    customer=customer,
                    association=association,
                    event_type=EventType.ASSOCIATE,
                    initiator=Initiator.CUSTOMER,
                    to_type=atype,
                    status=EventStatus.COMPLETED,
                    requested_at=since,
                    handled_at=since,
                )
                if atype == R:
                    NoticeSignature.objects.create(
                        customer=customer,
                        association=association,
                        association_type=R,
                        version=CURRENT_NOTICE[R],
                        language="zh-hans",
                        signed_at=since,
                        ip="203.0.113.10",
                    )
                Invitation.objects.create(
                    partner=partner,
                    kind=InvitationKind.ONLINE,
                    association_type=atype,
                    email=email,
                    mobile=mobile,
                    status=InvitationStatus.ASSOCIATED,
                    created_by=am or admin,
                    created_at=since - timedelta(days=1),
                    expires_at=since + timedelta(days=6),
                    associated_customer=customer,
                    associated_at=since,
                    uses=1,
                )
            _seed_invitations(partner, admin, now)
        _seed_relationship_events(now)
        seed_book(now)


def _seed_invitations(partner, admin, now):
    if (
        admin is None
        or Invitation.objects.filter(partner=partner)
        .exclude(status=InvitationStatus.ASSOCIATED)
        .exists()
    ):
        return
    slug = partner.account_name
    Invitation.objects.create(
        partner=partner,
        kind=InvitationKind.ONLINE,
        association_type=R,
        email=f"prospect@{slug}.demo.test",
        created_by=admin,
        created_at=now - timedelta(days=2),
        expires_at=now + timedelta(days=5),
    )
    Invitation.objects.create(
        partner=partner,
        kind=InvitationKind.ONLINE,
        association_type=T,
        email=f"late@{slug}.demo.test",
        created_by=admin,
        created_at=now - timedelta(days=10),
        expires_at=now - timedelta(days=3),
        status=InvitationStatus.EXPIRED,
    )
    Invitation.objects.create(
        partner=partner,
        kind=InvitationKind.ONLINE,
        association_type=R,
        email=f"withdrawn@{slug}.demo.test",
        created_by=admin,
        created_at=now - timedelta(days=4),
        expires_at=now + timedelta(days=3),
        status=InvitationStatus.REVOKED,
    )
    Invitation.objects.create(
        partner=partner,
        kind=InvitationKind.ONLINE,
        association_type=R,
        email=f"taken@{slug}.demo.test",
        created_by=admin,
        created_at=now - timedelta(days=1),
        expires_at=now + timedelta(days=6),
        status=InvitationStatus.FAILED,
        failure_reason="The customer is already associated with another partner and cannot associate.",
    )
    Invitation.objects.create(
        partner=partner,
        kind=InvitationKind.OFFLINE,
        association_type=R,
        tag=admin.user.account_name,
        created_by=admin,
        created_at=now - timedelta(days=30),
    )


def _seed_relationship_events(now):
    yuntu = Partner.objects.get(account_name="yuntu-tech")
    if (
        AssociationEvent.objects.filter(partner=yuntu)
        .exclude(event_type=EventType.ASSOCIATE)
        .exists()
    ):
        return
    demo = Association.objects.current().get(customer__account_name="demo-customer")
    Authorization.objects.create(
        partner=yuntu,
        customer=demo.customer,
        association=demo,
        status=AuthorizationStatus.GRANTED,
        requested_at=now - timedelta(days=30),
        decided_at=now - timedelta(days=29),
    )
    lanhai = Association.objects.current().get(customer__account_name="lanhai-logistics")
    Authorization.objects.create(partner=yuntu, customer=lanhai.customer, association=lanhai)
    # A customer-initiated disassociation waiting for the partner admin.
    tianyi = Association.objects.current().get(customer__account_name="tianyi-games")
    AssociationEvent.objects.create(
        partner=yuntu,
        customer=tianyi.customer,
        association=tianyi,
        event_type=EventType.DISASSOCIATE,
        initiator=Initiator.CUSTOMER,
        from_type=T,
        reason="业务调整,改为直接向华为云购买",
        status=EventStatus.PENDING,
        requested_at=now - timedelta(days=2),
    )
    # A partner request the customer refused, long enough ago not to block a new one.
    jinghua = Association.objects.current().get(customer__account_name="jinghua-med")
    AssociationEvent.objects.create(
        partner=yuntu,
        customer=jinghua.customer,
        association=jinghua,
        event_type=EventType.SWITCH_TYPE,
        initiator=Initiator.PARTNER,
        from_type=R,
        to_type=T,
        reason="客户希望自行付款",
        status=EventStatus.REFUSED,
        requested_at=now - timedelta(days=150),
        handled_at=now - timedelta(days=148),
        handling_reason="暂不切换",
    )


# --- A customer book long enough to page through --------------------------------------------------
# 云途科技's list, its association records and its invitations run past page one (20 rows), so a
# newcomer sees pagination and filters at work. Written with bulk inserts: the demo starts quickly.

BOOK_PARTNER = "yuntu-tech"
BOOK_SIZE = 56  # with the 7 named customers above: 63
_BOOK_PREFIXES = [
    "东方",
    "南湖",
    "西岭",
    "北岸",
    "青松",
    "白云",
    "金桥",
    "银河",
    "长风",
    "明月",
    "星辰",
    "远航",
    "恒信",
    "瑞丰",
    "嘉禾",
    "华章",
]
_BOOK_TRADES = [
    "科技",
    "物流",
    "贸易",
    "医药",
    "教育",
    "文旅",
    "电子",
    "食品",
    "建材",
    "传媒",
    "能源",
    "农业",
    "咨询",
    "软件",
]
_BOOK_TAGS = ["", "华东区", "重点客户", "", "展会2026", "华南区", ""]
# Several account managers: the AM role, and the colleagues who also look after customers.
_BOOK_MANAGERS = [
    "sp-am@demo.test",
    None,
    "sp-sales@demo.test",
    "sp-am@demo.test",
    None,
    "sp-admin@demo.test",
]


def book_rows():
    """The generated customers: (account name, name, type, days ago associated, AM e-mail, tag)."""
    rows = []
    for i in range(BOOK_SIZE):
        prefix = _BOOK_PREFIXES[i % len(_BOOK_PREFIXES)]
        trade = _BOOK_TRADES[(i * 5) % len(_BOOK_TRADES)]
        name = (
            f"{prefix}{trade}有限公司"
            if i < len(_BOOK_PREFIXES)
            else f"{prefix}{trade}{i:02d}号有限公司"
        )
        rows.append(
            (
                f"yt-book-{i + 1:03d}",
                name,
                R if i % 3 else T,  # two 代售 for each 顾问销售
                3 + i * 4,
                _BOOK_MANAGERS[i % len(_BOOK_MANAGERS)],
                _BOOK_TAGS[i % len(_BOOK_TAGS)],
            )
        )
    return rows


def seed_book(now=None):
    """Bulk-insert the customer book; customers that already exist are left as they are."""
    now = now or timezone.now()
    partner = Partner.objects.get(account_name=BOOK_PARTNER)
    rows = book_rows()
    existing = set(
        Customer.objects.filter(account_name__in=[r[0] for r in rows]).values_list(
            "account_name", flat=True
        )
    )
    rows = [r for r in rows if r[0] not in existing]
    if not rows:
        return 0
    admin = _admin(partner)
    managers = {
        m.user.email: m
        for m in Membership.objects.active()
        .filter(partner=partner, user__email__in={r[4] for r in rows if r[4]})
        .select_related("user")
    }
    customers = Customer.objects.bulk_create(
        Customer(
            account_name=account,
            name=name,
            kind=CustomerKind.ENTERPRISE,
            email=f"it@{account}.demo.test",
            mobile=f"1391200{i:04d}",
            created_at=now - timedelta(days=days + 2),
        )
        for i, (account, name, _t, days, _am, _tag) in enumerate(rows)
    )
    if customers and customers[0].pk is None:  # a backend that does not return ids
        customers = list(Customer.objects.filter(account_name__in=[r[0] for r in rows]))
        by_account = {c.account_name: c for c in customers}
        customers = [by_account[r[0]] for r in rows]
    associations = Association.objects.bulk_create(
        Association(
            customer=customer,
            partner=partner,
            association_type=atype,
            associated_at=now - timedelta(days=days),
            account_manager=managers.get(am),
            account_manager_since=now - timedelta(days=days) if managers.get(am) else None,
            tag=tag,
        )
        for customer, (_a, _n, atype, days, am, tag) in zip(customers, rows, strict=True)
    )
    if associations and associations[0].pk is None:
        by_customer = {a.customer_id: a for a in Association.objects.filter(customer__in=customers)}
        associations = [by_customer[c.pk] for c in customers]
    AccountManagerAssignment.objects.bulk_create(
        AccountManagerAssignment(
            association=a, account_manager=a.account_manager, assigned_at=a.associated_at
        )
        for a in associations
        if a.account_manager_id
    )
    AssociationEvent.objects.bulk_create(
        AssociationEvent(
            partner=partner,
            customer=a.customer,
            association=a,
            event_type=EventType.ASSOCIATE,
            initiator=Initiator.CUSTOMER,
            to_type=a.association_type,
            status=EventStatus.COMPLETED,
            requested_at=a.associated_at,
            handled_at=a.associated_at,
        )
        for a in associations
    )
    NoticeSignature.objects.bulk_create(
        NoticeSignature(
            customer=a.customer,
            association=a,
            association_type=R,
            version=CURRENT_NOTICE[R],
            language="zh-hans",
            signed_at=a.associated_at,
            ip="203.0.113.10",
        )
        for a in associations
        if a.association_type == R
    )
    Invitation.objects.bulk_create(
        Invitation(
            partner=partner,
            kind=InvitationKind.ONLINE,
            association_type=a.association_type,
            email=a.customer.email,
            mobile=a.customer.mobile,
            status=InvitationStatus.ASSOCIATED,
            created_by=a.account_manager or admin,
            created_at=a.associated_at - timedelta(days=1),
            expires_at=a.associated_at + timedelta(days=6),
            associated_customer=a.customer,
            associated_at=a.associated_at,
            uses=1,
        )
        for a in associations
    )
    return len(associations)
