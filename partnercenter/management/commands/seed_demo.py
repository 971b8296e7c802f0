"""Demo data: idempotent, safe to run on every start of bin/demo. Later features extend it.

It sets published passwords and a published authenticator secret, so it refuses to run with
DJANGO_ENV=production."""

import functools
from datetime import date

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from partnercenter.demo import ensure_totp, refuse_in_production
from partnercenter.models import (
    Membership,
    Partner,
    PartnerKind,
    Program,
    ProgramMembership,
    ProgramStatus,
    Role,
    User,
)
from partnercenter.staff import ACCOUNT_MANAGER, CHANNEL_MANAGER, PROGRAM_REVIEWER, sync_groups

PASSWORD = "PartnerDemo!2026"

# Extra seeders from other apps: callables(stdout) run after the foundation's data.
SEEDERS = []
# Extra lines bin/demo prints under the logins (demo API keys, …); apps append to it.
EXTRA_LOGIN_LINES = []

PARTNERS = {
    "sp": dict(
        name="云途科技有限公司",
        kind=PartnerKind.SOLUTION_PROVIDER,
        account_name="yuntu-tech",
        domain_id="5f1c0a9e2b7d4c8e9a3b5d6e7f800001",
        contact_name="王晓明",
        contact_email="contact@yuntu.demo.test",
        contact_phone="13800138001",
        programs=[(Program.SOLUTION_PROVIDER, ProgramStatus.ACTIVE, date(2024, 3, 1), None)],
    ),
    "sp2": dict(
        name="星河数据服务有限公司",
        kind=PartnerKind.SOLUTION_PROVIDER,
        account_name="xinghe-data",
        domain_id="5f1c0a9e2b7d4c8e9a3b5d6e7f800002",
        contact_name="李静",
        contact_email="contact@xinghe.demo.test",
        contact_phone="13900139002",
        programs=[(Program.SOLUTION_PROVIDER, ProgramStatus.ACTIVE, date(2025, 1, 15), None)],
    ),
    "dist": dict(
        name="华联云分销有限公司",
        kind=PartnerKind.DISTRIBUTOR,
        account_name="hualian-dist",
        domain_id="5f1c0a9e2b7d4c8e9a3b5d6e7f800003",
        contact_name="陈刚",
        contact_email="contact@hualian.demo.test",
        contact_phone="13700137003",
        programs=[
            (Program.DISTRIBUTION, ProgramStatus.ACTIVE, date(2023, 6, 1), None),
            (Program.SOLUTION_PROVIDER, ProgramStatus.EXITED, date(2022, 1, 1), date(2026, 6, 30)),
        ],
    ),
    "reseller": dict(
        name="博远信息技术有限公司",
        kind=PartnerKind.RESELLER,
        account_name="boyuan-it",
        domain_id="5f1c0a9e2b7d4c8e9a3b5d6e7f800004",
        contact_name="赵敏",
        contact_email="contact@boyuan.demo.test",
        contact_phone="13600136004",
        distributor="dist",
        programs=[(Program.CLOUD_RESELLER, ProgramStatus.ACTIVE, date(2025, 5, 20), None)],
    ),
}

USERS = [
    # email, name, partner key, role
    ("sp-admin@demo.test", "王晓明", "sp", Role.ADMIN),
    ("sp-finance@demo.test", "刘芳", "sp", Role.FINANCE),
    ("sp-am@demo.test", "张伟", "sp", Role.ACCOUNT_MANAGER),
    ("sp-sales@demo.test", "孙丽", "sp", Role.SALES),
    ("sp2-admin@demo.test", "李静", "sp2", Role.ADMIN),
    ("dist-admin@demo.test", "陈刚", "dist", Role.ADMIN),
    ("reseller-admin@demo.test", "赵敏", "reseller", Role.ADMIN),
]

# Demo data only: keys with published secrets, so the API guide's example runs as printed.
DEMO_KEYS = [
    ("sp-admin@demo.test", "DEMOSPADMIN000000001", "DemoSpAdminSecretKey00000000000000000001"),
    ("dist-admin@demo.test", "DEMODISTADMIN0000001", "DemoDistAdminSecretKey000000000000000001"),
]
EXTRA_LOGIN_LINES.append("")
EXTRA_LOGIN_LINES.append(
    "Demo API keys (endpoint = the portal's address, see Support > Partner API):"
)
for _email, _ak, _sk in DEMO_KEYS:
    EXTRA_LOGIN_LINES.append(f"  {_email}  AK {_ak}  SK {_sk}")

DEMO_LOGINS = [("staff@demo.test", "platform staff (superuser, two-factor: see below)")] + [
    (email, f"{PARTNERS[key]['name']} · {role.label}") for email, _n, key, role in USERS
]


@functools.cache
def demo_password_hash():
    # Every demo login shares the published password, so one hash (fixed salt) serves them all:
    # hashing once per run instead of twice per login keeps seed_demo quick (~0.3 s a hash).
    return make_password(PASSWORD, salt="PartnerCenterDemoSalt1")


def ensure_user(email, name, *, staff=False):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, name=name)
    changed = []
    if staff and not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        changed += ["is_staff", "is_superuser"]
    if user.password != demo_password_hash():
        user.password = demo_password_hash()
        changed.append("password")
    if changed:
        user.save(update_fields=changed)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


class Command(BaseCommand):
    help = "Create (or refresh) the demo organisations, users and data. Idempotent."

    def execute(self, *args, **options):
        refuse_in_production("seed_demo")  # before anything else, the system checks included
        return super().execute(*args, **options)

    def handle(self, *args, **options):
        refuse_in_production("seed_demo")
        # Demo history is made through the real services, which notify people: those e-mails
        # would only flood the console, so they go nowhere (the in-app messages stay).
        quiet = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
        with override_settings(MAILERS=quiet):
            with transaction.atomic():
                sync_groups()
                partners = self.seed_partners()
                self.seed_users(partners)
                self.seed_keys()
            for seeder in SEEDERS:
                seeder(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def seed_partners(self):
        partners = {}
        for key, spec in PARTNERS.items():
            spec = dict(spec)
            programs = spec.pop("programs")
            distributor_key = spec.pop("distributor", None)
            if distributor_key:
                spec["distributor"] = partners[distributor_key]
            partner, _ = Partner.objects.update_or_create(
                account_name=spec["account_name"], defaults=spec
            )
            for program, status, joined, exited in programs:
                ProgramMembership.objects.update_or_create(
                    partner=partner,
                    program=program,
                    defaults={"status": status, "joined_on": joined, "exited_on": exited},
                )
            partners[key] = partner
        return partners

    def seed_users(self, partners):
        staff = ensure_user("staff@demo.test", "平台运营", staff=True)
        staff.groups.add(
            *Group.objects.filter(name__in=[CHANNEL_MANAGER, ACCOUNT_MANAGER, PROGRAM_REVIEWER])
        )
        # The admin requires two-factor sign-in; the demo's authenticator secret is published
        # (`manage.py demo_code staff@demo.test` prints the current code).
        ensure_totp(staff)
        for email, name, key, role in USERS:
            user = ensure_user(email, name)
            membership = Membership.objects.active().filter(user=user).first()
            if membership is None:
                Membership.objects.create(user=user, partner=partners[key], role=role)
            elif membership.partner_id != partners[key].pk or membership.role != role:
                membership.partner = partners[key]
                membership.role = role
                membership.save(update_fields=["partner", "role"])

    def seed_keys(self):
        from partnercenter.services.access_keys import seed_key

        for email, ak, sk in DEMO_KEYS:
            membership = (
                Membership.objects.active().select_related("partner").get(user__email=email)
            )
            seed_key(
                user=membership.user,
                partner=membership.partner,
                access_key_id=ak,
                secret=sk,
                description="demo",
            )
