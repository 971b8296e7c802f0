"""Shared fixtures: the personas of every access test (style.md §4) and the real services."""

import os
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis.database import DirectoryBasedExampleDatabase

from partnercenter.actor import Actor
from partnercenter.models import PartnerKind, Role

from .factories import MembershipFactory, PartnerFactory, UserFactory

# Hypothesis: `ci` is derandomized, so every CI run tries the same examples and a failure found
# once fails every run until it is fixed (Hypothesis refuses an example database together with
# derandomize: the determinism is what replays it). Locally (`dev`) examples are random, so runs
# keep exploring, and every failing example is saved in .hypothesis/ (git-ignored) and tried
# first on the next run until it passes. HYPOTHESIS_PROFILE=ci replays a CI failure locally.
# Both start from Hypothesis's defaults, not from whatever profile it loaded on import (it loads
# its own "ci" when it detects CI).
_SLOW_IS_FINE = dict(
    parent=hypothesis_settings.get_profile("default"),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.register_profile(
    "ci", derandomize=True, database=None, print_blob=True, **_SLOW_IS_FINE
)
hypothesis_settings.register_profile(
    "dev",
    derandomize=False,
    database=DirectoryBasedExampleDatabase(
        Path(__file__).resolve().parent.parent / ".hypothesis" / "examples"
    ),
    **_SLOW_IS_FINE,
)


def hypothesis_profile(environ):
    if environ.get("HYPOTHESIS_PROFILE"):
        return environ["HYPOTHESIS_PROFILE"]
    return "ci" if environ.get("CI", "").lower() in {"true", "1"} else "dev"


hypothesis_settings.load_profile(hypothesis_profile(os.environ))


@pytest.fixture(autouse=True)
def _real_postgres_and_clean_cache(request):
    # Money and locking tests mean nothing on SQLite; the suite refuses to run there.
    assert connection.vendor == "postgresql", "the test suite runs on PostgreSQL only"
    cache.clear()
    # Service calls made directly by a test speak English; pages follow the portal default
    # (zh-hans) unless the test's client sets the language cookie.
    with translation.override("en"):
        yield
    cache.clear()


def pass_second_factor(client, user):
    """Mark the client's session as signed in with password *and* authenticator code, giving
    the user an authenticator if needed: what allauth records after its 2FA stage."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.account.internal.userkit import user_id_to_str

    from partnercenter.demo import ensure_totp

    authenticator = ensure_totp(user)
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "id": authenticator.pk, "type": authenticator.type},
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()


@pytest.fixture(autouse=True)
def _forced_staff_logins_pass_the_second_factor(monkeypatch):
    """The admin opens only to staff whose sign-in passed two-factor authentication
    (partnercenter.mfa). In tests, `client.force_login(staff)` stands for such a sign-in. The
    tests of that rule sign in through allauth's own forms instead (tests/core/test_mfa.py)."""
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if user.is_staff:
            pass_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded and exported files go to a per-test folder, never into var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def partner(db):
    return PartnerFactory(name="甲方科技有限公司")


@pytest.fixture
def other_partner(db):
    return PartnerFactory(name="乙方数据有限公司")


@pytest.fixture
def distributor(db):
    return PartnerFactory(name="总经销有限公司", kind=PartnerKind.DISTRIBUTOR)


@pytest.fixture
def reseller(db, distributor):
    return PartnerFactory(name="云经销有限公司", kind=PartnerKind.RESELLER, distributor=distributor)


def _member(partner, role, email):
    return MembershipFactory(partner=partner, role=role, user=UserFactory(email=email))


@pytest.fixture
def admin_member(partner):
    return _member(partner, Role.ADMIN, "admin@partner-a.test")


@pytest.fixture
def finance_member(partner):
    return _member(partner, Role.FINANCE, "finance@partner-a.test")


@pytest.fixture
def am_member(partner):
    return _member(partner, Role.ACCOUNT_MANAGER, "am@partner-a.test")


@pytest.fixture
def sales_member(partner):
    return _member(partner, Role.SALES, "sales@partner-a.test")


@pytest.fixture
def viewer_member(partner):
    return _member(partner, Role.VIEWER, "viewer@partner-a.test")


@pytest.fixture
def other_admin(other_partner):
    return _member(other_partner, Role.ADMIN, "admin@partner-b.test")


@pytest.fixture
def distributor_admin(distributor):
    return _member(distributor, Role.ADMIN, "admin@distributor.test")


@pytest.fixture
def reseller_admin(reseller):
    return _member(reseller, Role.ADMIN, "admin@reseller.test")


@pytest.fixture
def staff_user(db):
    user = UserFactory(email="staff@platform.test")
    user.is_staff = True
    user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def login(client):
    """login(membership_or_user) → a client signed in as that person."""

    def _login(who):
        user = getattr(who, "user", who)
        client.force_login(user)
        return client

    return _login


def actor_for(membership, **kw):
    return Actor(
        user=membership.user,
        partner=membership.partner,
        membership=membership,
        ip="127.0.0.1",
        **kw,
    )


@pytest.fixture
def actor():
    return actor_for


@pytest.fixture
def celery_worker_app(transactional_db, settings, worker_id):
    """A real Celery worker thread over Redis, on a queue of this test process's own."""
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping; start_worker needs it)
    from celery.contrib.testing.worker import start_worker

    from partnercenter.celery import app

    queue = f"pc-test-{worker_id}-{os.getpid()}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    app.conf.broker_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    with start_worker(
        app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        queues=[queue],
        shutdown_timeout=10,
    ):
        yield app
    app.conf.task_always_eager = True
