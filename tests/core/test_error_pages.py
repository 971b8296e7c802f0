"""The portal's own error pages — 400, 403 (and the CSRF 403), 404, 500 — in both languages with
DEBUG off, never Django's technical page; and `bin/demo`'s way of serving (runserver, DEBUG
off, whitenoise) still serves the assets.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import path
from django.utils import translation
from django.views.defaults import server_error

from partnercenter import urls as portal_urls
from tests.factories import UserFactory

TITLES = {
    "zh-hans": {400: "请求有误", 403: "访问拒绝", 404: "未找到", 500: "系统出错了"},
    "en": {400: "Bad request", 403: "Access denied", 404: "Not found", 500: "Something went wrong"},
}
HTML_LANG = {"zh-hans": 'lang="zh-CN"', "en": 'lang="en"'}
TECHNICAL = ("Traceback", "Using the URLconf", "DEBUG = True", "technical_500", "Django tried")


def _boom(request):
    raise RuntimeError("an unexpected failure")


urlpatterns = [path("boom/", _boom), *portal_urls.urlpatterns]


@pytest.fixture
def debug_off(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


def assert_ours(response, status, language):
    body = response.content.decode()
    assert response.status_code == status
    assert 'data-testid="error-page"' in body, body[:300]
    assert TITLES[language][status] in body
    assert HTML_LANG[language] in body
    assert not any(marker in body for marker in TECHNICAL)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_error_page_is_ours_in_both_languages(client, debug_off, language):
    client.raise_request_exception = False
    client.cookies["django_language"] = language
    assert_ours(client.get("/no-such-page/"), 404, language)
    assert_ours(client.get("/customers/" + "9" * 40 + "/"), 404, language)
    assert_ours(client.get("/customers/", {"name": "\x00"}), 400, language)
    assert_ours(client.get("/", HTTP_HOST="evil.example"), 400, language)  # DisallowedHost
    assert_ours(client.get("/boom/"), 500, language)
    client.force_login(UserFactory())  # signed in, but in no partner: 403
    assert_ours(client.get("/customers/"), 403, language)
    signed_in_404 = client.get("/no-such-page/")
    assert_ours(signed_in_404, 404, language)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_expired_form_is_explained_not_a_bare_403(debug_off, language):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = language
    response = client.post("/i18n/setlang/", {"language": "en"})
    body = response.content.decode()
    assert response.status_code == 403 and 'data-testid="error-page"' in body
    assert HTML_LANG[language] in body
    assert {"zh-hans": "表单已过期", "en": "The form has expired"}[language] in body


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_500_page_needs_no_request_context_and_no_database(language):
    # No django_db mark: any query here fails the test.
    with translation.override(language):
        response = server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500 and TITLES[language][500] in body
    assert HTML_LANG[language] in body and "/static/css/app.css" in body


# --- bin/demo's way of serving ----------------------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode("utf-8", "replace")


def test_the_demo_serves_its_assets_and_its_own_404_with_debug_off(tmp_path):
    base = Path(settings.BASE_DIR)
    demo = (base / "bin" / "demo").read_text()
    assert "export DEBUG=false" in demo  # the demo runs exactly this way
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "PYTEST_VERSION", "DEBUG"}
        and not k.startswith("PYTEST_")
    }
    env.update(
        DJANGO_ENV="development",
        DEBUG="false",
        DJANGO_SETTINGS_MODULE="partnercenter.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
    )
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=base,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        root = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stderr.read().decode()) from None
                time.sleep(0.3)
        status, kind, css = _get(root + "/static/css/app.css")
        assert status == 200 and kind.startswith("text/css") and "--pc-red" in css
        status, kind, _body = _get(root + "/static/vendor/bootstrap/css/bootstrap.min.css")
        assert status == 200 and kind.startswith("text/css")
        status, _kind, page = _get(root + "/no-such-page/")
        assert status == 404 and 'data-testid="error-page"' in page
        assert not any(marker in page for marker in TECHNICAL)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
