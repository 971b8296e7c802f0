"""Background exports: start → task → files → 导出记录 page → download; access, expiry, purge."""

import csv
import io
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from partnercenter import exports
from partnercenter.errors import DomainError, PermissionRefused
from partnercenter.masking import mask_email
from partnercenter.models import AuditEvent, ExportJob, ExportStatus, Membership, Role
from partnercenter.permissions import P
from partnercenter.tasks import purge_expired_exports, run_export
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

AMOUNT = Decimal("12345678901234567.89")  # more digits than a float holds
JOINED = timezone.make_aware(datetime(2026, 3, 4, 5, 6, 7))


def _members(job):
    """The test exporter's scoped queryset: this partner's active colleagues, filtered."""
    qs = (
        Membership.objects.active()
        .filter(partner=job.partner)
        .select_related("user")
        .order_by("pk")
    )
    ids = [int(i) for i in job.params.get("ids", []) if i.isdigit()]
    if ids:
        qs = qs.filter(pk__in=ids)
    role = job.params.get("filters", {}).get("role")
    if role:
        qs = qs.filter(role=role)
    return qs


def _member_row(m):
    return [m.user.name, mask_email(m.user.email), m.get_role_display(), AMOUNT, m.joined_at]


exports.register(
    "test-members",
    label="Colleagues",
    item=P.MEMBERS_MANAGE,
    headers=lambda job: [gettext("Name"), gettext("E-mail"), gettext("Role"), "Amount", "Joined"],
    rows=lambda job: (_member_row(m) for m in _members(job)),
    count=lambda job: _members(job).count(),
)


def _broken_rows(job):
    yield ["fine"]
    raise RuntimeError("boom: secret internal detail")


exports.register(
    "test-broken",
    label="Broken",
    item=P.MEMBERS_MANAGE,
    headers=lambda job: ["Value"],
    rows=_broken_rows,
    count=lambda job: 2,
)


def _refusing_rows(job):
    raise DomainError("Too many rows: narrow the filters.")


exports.register(
    "test-refusing",
    label="Refusing",
    item=P.MEMBERS_MANAGE,
    headers=lambda job: ["Value"],
    rows=_refusing_rows,
    count=lambda job: 1,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def team(admin_member):
    """Three colleagues with known names and a fixed join time, plus the admin."""
    admin_member.user.name = "管理员"
    admin_member.user.language = "en"
    admin_member.user.save()
    people = [
        MembershipFactory(
            partner=admin_member.partner,
            role=role,
            user=UserFactory(name=name, email=email),
        )
        for name, email, role in [
            ("张三", "zhang.san@partner-a.test", Role.FINANCE),
            ("李四", "li.si@partner-a.test", Role.SALES),
            ("=HYPERLINK(1)", "hyper@partner-a.test", Role.FINANCE),
        ]
    ]
    Membership.objects.filter(partner=admin_member.partner).update(joined_at=JOINED)
    return [admin_member, *people]


def _run(actor, membership, capture, kind="test-members", params=None):
    with capture(execute=True):
        job = exports.start_export(actor=actor(membership), kind=kind, params=params)
    job.refresh_from_db()
    return job


def _csv_rows(job):
    raw = Path(job.csv_file.path).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _xlsx_rows(job):
    workbook = openpyxl.load_workbook(job.xlsx_file.path, read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def _expected(memberships, language="en"):
    with translation.override(language):
        return [[m.user.name, mask_email(m.user.email), m.get_role_display()] for m in memberships]


# --- The whole flow -------------------------------------------------------------------------


def test_it_writes_the_partners_colleagues_to_csv_and_xlsx(
    team, other_admin, actor, django_capture_on_commit_callbacks
):
    job = _run(actor, team[0], django_capture_on_commit_callbacks)
    assert job.status == ExportStatus.DONE
    assert job.total == job.processed == 4 and job.progress_percent == 100
    assert job.finished_at is not None and job.error == ""
    joined = "2026-03-04 05:06:07"
    raw = Path(job.csv_file.path).read_bytes().decode("utf-8")
    assert raw == (
        "\ufeffName,E-mail,Role,Amount,Joined\r\n"
        f"管理员,a***@partner-a.test,Partner admin,12345678901234567.89,{joined}\r\n"
        f"张三,z***@partner-a.test,Finance,12345678901234567.89,{joined}\r\n"
        f"李四,l***@partner-a.test,Sales,12345678901234567.89,{joined}\r\n"
        # Text that would run as a formula in a spreadsheet is written as text.
        f"'=HYPERLINK(1),h***@partner-a.test,Finance,12345678901234567.89,{joined}\r\n"
    )
    rows = _xlsx_rows(job)
    assert rows[0] == ["Name", "E-mail", "Role", "Amount", "Joined"]
    assert [r[:3] for r in rows[1:]] == _expected(team)
    # A number cell: Excel itself keeps 15 significant digits (the CSV above is exact).
    assert all(r[3] == pytest.approx(float(AMOUNT), rel=1e-15) for r in rows[1:])
    assert {r[4] for r in rows[1:]} == {datetime(2026, 3, 4, 5, 6, 7)}  # Beijing time
    # The other partner's colleague is nowhere in either file.
    assert "partner-b" not in raw and all("partner-b" not in r[1] for r in rows[1:])
    start = AuditEvent.objects.get(action="export.start")
    assert start.partner == team[0].partner and start.after["kind"] == "test-members"


def test_headers_follow_the_creators_language(team, actor, django_capture_on_commit_callbacks):
    team[0].user.language = ""
    team[0].user.save()
    job = _run(actor, team[0], django_capture_on_commit_callbacks)
    with translation.override("zh-hans"):
        expected = [gettext("Name"), gettext("E-mail"), gettext("Role")]
    assert _csv_rows(job)[0][:3] == expected == ["姓名", "电子邮箱", "角色"]


def test_the_list_page_starts_an_export_of_its_current_filters(
    client, team, django_capture_on_commit_callbacks
):
    client.force_login(team[0].user)
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("export_start", args=["test-members"]),
            {"query": "role=finance&page=3", "mode": "current", "next": "/organisation/members/"},
        )
    assert response.status_code == 302 and response["Location"] == reverse("exports")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Export task created."]
    job = ExportJob.objects.get()
    assert job.params == {"filters": {"role": "finance"}, "ids": []}
    assert [r[:3] for r in _xlsx_rows(job)[1:]] == _expected([team[1], team[3]])


def test_export_selected_writes_only_the_checked_rows_of_this_partner(
    client, team, other_admin, django_capture_on_commit_callbacks
):
    client.force_login(team[0].user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("export_start", args=["test-members"]),
            {"mode": "selected", "ids": [team[2].pk, team[1].pk, other_admin.pk, team[2].pk]},
        )
    job = ExportJob.objects.get()
    assert job.params["ids"] == [str(team[2].pk), str(team[1].pk), str(other_admin.pk)]
    assert job.total == 2  # the other partner's id is out of the exporter's scope
    assert [r[:3] for r in _xlsx_rows(job)[1:]] == _expected([team[1], team[2]])


def test_export_selected_without_a_selection_says_so_and_goes_back(client, team):
    client.force_login(team[0].user)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("export_start", args=["test-members"]),
        {"mode": "selected", "next": "/organisation/members/?tab=people"},
    )
    assert response["Location"] == "/organisation/members/?tab=people"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Select the records to export first."
    ]
    assert not ExportJob.objects.exists()


def test_a_foreign_next_url_is_ignored(client, team):
    client.force_login(team[0].user)
    response = client.post(
        reverse("export_start", args=["no-such-kind"]), {"next": "https://evil.test/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("exports")


def test_an_unknown_kind_is_a_domain_error(team, actor):
    with pytest.raises(DomainError):
        exports.start_export(actor=actor(team[0]), kind="no-such-kind", params={})


def test_start_is_get_proof(client, team):
    client.force_login(team[0].user)
    assert client.get(reverse("export_start", args=["test-members"])).status_code == 405


def test_a_second_delivery_of_the_task_changes_nothing(
    team, actor, django_capture_on_commit_callbacks
):
    job = _run(actor, team[0], django_capture_on_commit_callbacks)
    files = (job.csv_file.name, job.xlsx_file.name)
    assert run_export(job.pk) is None
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and (job.csv_file.name, job.xlsx_file.name) == files
    assert run_export(10**9) is None  # a deleted job is skipped quietly


def test_progress_is_written_while_rows_stream(monkeypatch, team, actor):
    seen = []

    def rows(job):
        for i in range(5):
            seen.append(ExportJob.objects.get(pk=job.pk).processed)
            yield [i]

    exports.register(
        "test-slow",
        label="Slow",
        item=P.MEMBERS_MANAGE,
        headers=lambda job: ["n"],
        rows=rows,
        count=lambda job: 5,
    )
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    job = exports.start_export(actor=actor(team[0]), kind="test-slow", params={})
    assert job.total == 5 and job.status == ExportStatus.PENDING
    run_export(job.pk)
    assert seen == [0, 0, 2, 2, 4]
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.processed == 5


# --- Failures -------------------------------------------------------------------------------


def test_a_failing_exporter_marks_the_job_failed_without_the_traceback(
    client, team, actor, django_capture_on_commit_callbacks, caplog
):
    job = _run(actor, team[0], django_capture_on_commit_callbacks, kind="test-broken")
    assert job.status == ExportStatus.FAILED and job.finished_at is not None
    assert job.error == "The export failed."
    assert not job.csv_file and not job.xlsx_file
    assert f"export job {job.pk} (test-broken) failed" in caplog.text  # logged, with the ids
    client.force_login(team[0].user)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("exports")).content.decode()
    assert "The export failed." in page and "secret internal detail" not in page
    assert reverse("export_download", args=[job.pk, "csv"]) not in page
    assert client.get(reverse("export_download", args=[job.pk, "csv"])).status_code == 404


def test_an_exporter_may_refuse_with_a_message_for_people(
    team, actor, django_capture_on_commit_callbacks
):
    job = _run(actor, team[0], django_capture_on_commit_callbacks, kind="test-refusing")
    assert job.status == ExportStatus.FAILED
    assert job.error == "Too many rows: narrow the filters."


def test_an_unreachable_broker_fails_the_job_at_once(
    monkeypatch, team, actor, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(run_export, "delay", down)
    job = _run(actor, team[0], django_capture_on_commit_callbacks)
    assert job.status == ExportStatus.FAILED
    assert job.error == "The export could not be started. Try again later."


def test_a_role_changed_before_the_task_runs_fails_the_job(team, actor):
    job = exports.start_export(actor=actor(team[0]), kind="test-members", params={})
    Membership.objects.filter(pk=team[1].pk).update(role=Role.ADMIN)  # someone must stay admin
    Membership.objects.filter(pk=team[0].pk).update(role=Role.SALES)
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and not job.csv_file


# --- Access ---------------------------------------------------------------------------------


def test_a_role_without_the_item_cannot_start(client, team, sales_member, actor):
    with pytest.raises(PermissionRefused):
        exports.start_export(actor=actor(sales_member), kind="test-members", params={})
    client.force_login(sales_member.user)
    response = client.post(reverse("export_start", args=["test-members"]), {"query": ""})
    assert response.status_code == 403
    assert not ExportJob.objects.exists()
    # Anyone in the partner may open the page: it just lists their own (no) exports.
    assert client.get(reverse("exports")).status_code == 200


def test_the_creator_downloads_both_files_and_it_is_audited(
    client, team, actor, django_capture_on_commit_callbacks
):
    job = _run(actor, team[0], django_capture_on_commit_callbacks)
    client.force_login(team[0].user)
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    response = client.get(reverse("export_download", args=[job.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="test-members-{stamp}.csv"'
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == Path(job.csv_file.path).read_bytes()
    xlsx = client.get(reverse("export_download", args=[job.pk, "xlsx"]))
    assert xlsx.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert workbook.active.max_row == 5
    assert client.get(reverse("export_download", args=[job.pk, "pdf"])).status_code == 404
    downloads = AuditEvent.objects.filter(action="export.download", target_id=str(job.pk))
    assert sorted(e.after["format"] for e in downloads) == ["csv", "xlsx"]


def test_nobody_else_downloads_it(
    client, team, other_admin, actor, django_capture_on_commit_callbacks
):
    job = _run(actor, team[0], django_capture_on_commit_callbacks)
    url = reverse("export_download", args=[job.pk, "csv"])
    colleague = MembershipFactory(partner=team[0].partner, role=Role.ADMIN)
    for who in (other_admin, colleague):
        client.force_login(who.user)
        assert client.get(url).status_code == 404
        assert url not in client.get(reverse("exports")).content.decode()
    client.logout()
    assert client.get(url).status_code == 302  # to sign in
    assert not AuditEvent.objects.filter(action="export.download").exists()


def test_losing_the_item_hides_the_download(
    client, team, actor, django_capture_on_commit_callbacks
):
    job = _run(actor, team[0], django_capture_on_commit_callbacks)
    Membership.objects.filter(pk=team[1].pk).update(role=Role.ADMIN)
    Membership.objects.filter(pk=team[0].pk).update(role=Role.SALES)
    client.force_login(team[0].user)
    url = reverse("export_download", args=[job.pk, "csv"])
    assert client.get(url).status_code == 404
    page = client.get(reverse("exports")).content.decode()
    assert f'data-job="{job.pk}"' in page and url not in page


def test_an_expired_export_is_gone_and_no_longer_listed(
    client, team, actor, django_capture_on_commit_callbacks
):
    job = _run(actor, team[0], django_capture_on_commit_callbacks)
    assert timedelta(days=2, hours=23) < job.expires_at - timezone.now() <= timedelta(days=3)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(team[0].user)
    assert client.get(reverse("export_download", args=[job.pk, "xlsx"])).status_code == 410
    assert f'data-job="{job.pk}"' not in client.get(reverse("exports")).content.decode()


# --- Limits and the sweep -------------------------------------------------------------------


def test_a_person_runs_at_most_five_exports_at_a_time(team, actor):
    jobs = [
        exports.start_export(actor=actor(team[0]), kind="test-members", params={})
        for _ in range(exports.MAX_ACTIVE_PER_USER)
    ]
    with pytest.raises(DomainError, match="already have 5 exports in progress"):
        exports.start_export(actor=actor(team[0]), kind="test-members", params={})
    # A colleague has a limit of their own.
    other = MembershipFactory(partner=team[0].partner, role=Role.ADMIN)
    exports.start_export(actor=actor(other), kind="test-members", params={})
    # A finished job frees a place; so does one stuck long enough to count as lost.
    run_export(jobs[0].pk)
    exports.start_export(actor=actor(team[0]), kind="test-members", params={})
    ExportJob.objects.filter(pk=jobs[1].pk).update(
        created_at=timezone.now() - exports.STALE_AFTER - timedelta(minutes=1)
    )
    exports.start_export(actor=actor(team[0]), kind="test-members", params={})
    with pytest.raises(DomainError):
        exports.start_export(actor=actor(team[0]), kind="test-members", params={})


def test_the_page_shows_the_limit_as_a_message(client, team, actor):
    for _ in range(exports.MAX_ACTIVE_PER_USER):
        exports.start_export(actor=actor(team[0]), kind="test-members", params={})
    client.force_login(team[0].user)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("export_start", args=["test-members"]), {"next": "/organisation/members/"}
    )
    assert response["Location"] == "/organisation/members/"
    assert "already have 5 exports in progress" in str(list(get_messages(response.wsgi_request)))


def test_the_sweep_deletes_expired_files_and_rows_and_is_idempotent(
    team, actor, django_capture_on_commit_callbacks
):
    old = _run(actor, team[0], django_capture_on_commit_callbacks)
    fresh = _run(actor, team[0], django_capture_on_commit_callbacks)
    failed = _run(actor, team[0], django_capture_on_commit_callbacks, kind="test-broken")
    old_files = [Path(old.csv_file.path), Path(old.xlsx_file.path)]
    assert all(p.exists() for p in old_files)
    ExportJob.objects.filter(pk__in=[old.pk, failed.pk]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert purge_expired_exports() == 2
    assert purge_expired_exports() == 0
    assert not any(p.exists() for p in old_files)
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert Path(fresh.csv_file.path).exists() and Path(fresh.xlsx_file.path).exists()


def test_the_sweep_fails_jobs_that_lost_their_worker(team, actor):
    job = exports.start_export(actor=actor(team[0]), kind="test-members", params={})
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - exports.STALE_AFTER - timedelta(minutes=1)
    )
    purge_expired_exports()
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert run_export(job.pk) is None  # a late delivery does not revive it


# --- The 导出记录 page ----------------------------------------------------------------------


def test_the_page_shows_progress_and_polls_only_while_running(client, team, actor):
    job = exports.start_export(actor=actor(team[0]), kind="test-members", params={})
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, total=400, processed=100
    )
    client.force_login(team[0].user)
    page = client.get(reverse("exports")).content.decode()
    assert 'data-progress="25"' in page and "100 / 400" in page
    assert 'hx-trigger="every 1s"' in page
    poll = client.get(reverse("exports"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in poll and 'hx-trigger="every 1s"' in poll
    assert 'data-announce=""' in poll  # polling is not read out every second

    ExportJob.objects.filter(pk=job.pk).update(processed=300)
    assert (
        'data-progress="75"'
        in client.get(reverse("exports"), HTTP_HX_REQUEST="true").content.decode()
    )

    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.PENDING)
    run_export(job.pk)  # the task finishes it
    client.cookies["django_language"] = "en"
    last = client.get(reverse("exports"), HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in last and 'data-progress="100"' in last
    assert "Completed" in last and "All exports have finished." in last
    assert reverse("export_download", args=[job.pk, "csv"]) in last
    assert reverse("export_download", args=[job.pk, "xlsx"]) in last


@pytest.mark.parametrize("rows", [1, 50])
def test_the_page_keeps_a_fixed_number_of_queries(
    client, team, actor, django_assert_max_num_queries, rows
):
    for i in range(rows):
        ExportJob.objects.create(
            partner=team[0].partner,
            created_by=team[0].user,
            kind="test-members" if i % 2 else "test-broken",
            status=ExportStatus.DONE if i % 3 else ExportStatus.RUNNING,
            total=10,
            processed=5,
        )
    client.force_login(team[0].user)
    # The shell's own queries (session, user, membership, badge) plus a count and one page.
    with django_assert_max_num_queries(8):
        assert client.get(reverse("exports")).status_code == 200
    # The 1-second poll answers with the table alone: no more than the page.
    with django_assert_max_num_queries(7):
        assert client.get(reverse("exports"), HTTP_HX_REQUEST="true").status_code == 200


# --- The include ----------------------------------------------------------------------------


def test_the_export_menu_posts_the_filters_and_the_selected_rows(team):
    request = RequestFactory().get("/customers/", {"role": "finance", "q": "张", "page": "2"})
    request.user = team[0].user
    html = Template(
        '{% include "partials/export_menu.html" with kind="test-members" form_id="rows" %}'
    ).render(Context({"request": request, "csrf_token": "t"}))
    action = reverse("export_start", args=["test-members"])
    assert f'action="{action}"' in html and 'method="post"' in html
    assert 'name="query" value="role=finance&amp;q=%E5%BC%A0&amp;page=2"' in html
    # "Export selected" submits the list's own form (where the checkboxes are) to the export.
    assert f'form="rows" formaction="{action}" formmethod="post"' in html
    assert reverse("exports") in html
    without = Template('{% include "partials/export_menu.html" with kind="test-members" %}').render(
        Context({"request": request, "csrf_token": "t"})
    )
    assert 'value="selected"' not in without


def test_the_beat_schedule_runs_the_sweep_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired-exports"]
    assert entry == {"task": "partnercenter.tasks.purge_expired_exports", "schedule": 3600}


# --- A real worker --------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_writes_the_files_over_redis(celery_worker_app, team, actor):
    # start_export's durable transaction really commits here, and on_commit queues the task.
    job = exports.start_export(actor=actor(team[0]), kind="test-members", params={})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ExportStatus.DONE, ExportStatus.FAILED):
            break
        time.sleep(0.2)
    assert job.status == ExportStatus.DONE, job.error
    assert [r[:3] for r in _xlsx_rows(job)[1:]] == _expected(team)
    assert len(_csv_rows(job)) == 5
