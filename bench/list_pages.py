"""The operation log page over 20 000 events: Django page render vs a raw SQL fetch of the page.

Prints `list_page_ratio=<raw seconds per page ÷ django seconds per page>` last: 1.0 would mean
the whole page (auth, tenancy, filters, count, template) costs no more than the bare query.
"""

import time

from _django import raw_connection, setup

setup()

from django.test import Client  # noqa: E402

from partnercenter.models import AuditEvent, Membership, Partner, PartnerKind, Role, User  # noqa: E402

EVENTS = 20_000
ROUNDS = 40


def seed():
    partner, _ = Partner.objects.get_or_create(
        account_name="bench-partner",
        defaults={"name": "Bench", "kind": PartnerKind.SOLUTION_PROVIDER},
    )
    user = User.objects.filter(email="bench@bench.test").first() or User.objects.create_user(
        "bench@bench.test", "x-bench-password-x"
    )
    Membership.objects.get_or_create(user=user, partner=partner, defaults={"role": Role.ADMIN})
    missing = EVENTS - AuditEvent.objects.filter(partner=partner).count()
    if missing > 0:
        AuditEvent.objects.bulk_create(
            (
                AuditEvent(
                    partner=partner,
                    actor=user,
                    actor_label=user.email,
                    action="partner.update",
                    target_label=f"对象{i}",
                    ip="127.0.0.1",
                )
                for i in range(missing)
            ),
            batch_size=5000,
        )
    return partner, user


def time_django(user):
    client = Client()
    client.force_login(user)
    client.get("/organisation/log/")  # warm up
    start = time.perf_counter()
    for i in range(ROUNDS):
        assert client.get("/organisation/log/", {"page": 1 + i % 5}).status_code == 200
    return (time.perf_counter() - start) / ROUNDS


def time_raw(partner):
    conn = raw_connection()
    cur = conn.cursor()
    start = time.perf_counter()
    for i in range(ROUNDS):
        cur.execute(
            "SELECT count(*) FROM partnercenter_auditevent WHERE partner_id = %s", [partner.pk]
        )
        cur.execute(
            "SELECT * FROM partnercenter_auditevent WHERE partner_id = %s ORDER BY created_at DESC, id DESC "
            "LIMIT 20 OFFSET %s",
            [partner.pk, 20 * (i % 5)],
        )
        cur.fetchall()
    elapsed = (time.perf_counter() - start) / ROUNDS
    conn.close()
    return elapsed


if __name__ == "__main__":
    partner, user = seed()
    django_s = time_django(user)
    raw_s = time_raw(partner)
    print(f"django page: {django_s * 1000:.1f} ms; raw query: {raw_s * 1000:.2f} ms")
    print(f"list_page_ratio={raw_s / django_s:.3f}")
