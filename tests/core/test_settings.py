"""The production switch: refuses a missing secret, turns on the security settings, passes --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "Zq9-2mX_pL7vR4tY8wE1uI6oP3aS5dF0gH"


def run_manage(*args, **env):
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DJANGO_ENV",
            "PYTEST_VERSION",
            "SECRET_KEY",
            "DATABASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    result = run_manage("check", DJANGO_ENV="production")
    assert result.returncode != 0
    assert "needs a real SECRET_KEY" in result.stderr


def test_production_passes_check_deploy_with_no_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="partner.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_turns_on_secure_cookies_hsts_ssl_and_a_strict_csp():
    code = (
        "from django.conf import settings as s;"
        "import json;"
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.DEBUG, sorted(v for vs in s.SECURE_CSP.values() for v in vs)]))"
    )
    result = run_manage(
        "shell",
        "-c",
        code,
        DJANGO_ENV="production",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="partner.example.com",
    )
    assert result.returncode == 0, result.stderr
    import json

    secure_session, secure_csrf, ssl_redirect, hsts, debug, csp_values = json.loads(
        result.stdout.strip().splitlines()[-1]
    )
    assert secure_session and secure_csrf and ssl_redirect and hsts >= 31536000 and not debug
    assert "'unsafe-inline'" not in csp_values and "'unsafe-eval'" not in csp_values


@pytest.mark.django_db
def test_every_page_carries_a_csp_header_without_unsafe_inline(client, admin_member):
    client.force_login(admin_member.user)
    header = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in header and "style-src 'self'" in header
    assert "unsafe-inline" not in header


@pytest.mark.django_db
def test_the_health_endpoint_answers_without_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
