"""Background exports (导出): a registry of exporters and the services that run them.

A list page offers "导出 > 导出当前记录 / 导出选中"; `start_export` records an ExportJob and a Celery
task (`partnercenter.tasks.run_export`) writes the CSV and XLSX files; the 导出记录 page shows
progress and offers 下载 once the job is 已完成. Files are kept 3 days, then the hourly sweep
(`purge_expired`) deletes them.

An app plugs in by calling `register()` in its own `exports.py` module (found automatically on
the first lookup, in the web process and in the worker alike):

    register(
        "customers",
        label=_("Customer list"),
        item=P.CUSTOMER_EXPORT,
        headers=lambda job: [gettext("Customer name"), ...],
        rows=customer_rows,        # job → iterable of lists, personal data already masked
        count=customer_count,      # job → int
    )

`job.params` is {"filters": {name: value or [values]}, "ids": ["..", ..]}: the list page's query
string (without `page`) and the selected ids, as strings. When `ids` is non-empty the exporter
exports only those rows. Either way it must start from its own scoped queryset for `job.partner`
and `job.membership` (the creator's active membership, set before every call), never from the
ids alone.
"""

import csv
import logging
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .errors import DomainError, PermissionRefused
from .ids import parse_ids
from .models import ACTIVE_EXPORT_STATUSES, ExportJob, ExportStatus, Membership
from .permissions import PermissionItem, has_perm

log = logging.getLogger(__name__)

# At most this many pending/running exports per user at a time.
MAX_ACTIVE_PER_USER = 5
# `processed` is written every this many rows, so the 导出记录 page can show progress.
PROGRESS_EVERY = 200
# A pending/running job older than this has lost its worker (the task time limit is 30 minutes):
# it no longer counts against the limit, and the sweep marks it failed.
STALE_AFTER = timedelta(hours=2)
# "Export selected" posts at most a few pages of checkboxes; this bounds the stored params.
MAX_SELECTED_IDS = 1000
FORMATS = ("csv", "xlsx")

audit.register_actions(
    {
        "export.start": gettext_lazy("Started an export"),
        "export.download": gettext_lazy("Downloaded an export"),
    }
)


@dataclass(frozen=True)
class ExportSpec:
    kind: str
    label: object
    item: PermissionItem
    headers: Callable
    rows: Callable
    count: Callable


_REGISTRY: dict[str, ExportSpec] = {}
_discovered = False


def job_filters(job, form_class, **form_kwargs):
    """(cleaned filters, the QueryDict) of the list page's query string saved with the job, read
    through the page's own filter form so that the export selects what the page showed."""
    query = QueryDict(mutable=True)
    for key, value in (job.params.get("filters") or {}).items():
        query.setlist(key, value if isinstance(value, list) else [value])
    form = form_class(query, **form_kwargs)
    return (form.cleaned_data if form.is_valid() else {}), query


def only_selected(job, qs):
    """导出选中: narrow the exporter's own scoped queryset to the ticked rows, if any."""
    ids = parse_ids(job.params.get("ids") or [])
    return qs.filter(pk__in=ids) if ids else qs


def local_time(value):
    """A cell's time: Beijing time to the second, or empty."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def register(kind, *, label, item, headers, rows, count):
    """Declare an export kind. Registering the same kind again replaces it."""
    if not kind or len(kind) > 64:
        raise ValueError("an export kind is 1 to 64 characters")
    if not isinstance(item, PermissionItem):
        raise TypeError("item must be a PermissionItem")
    spec = ExportSpec(kind, label, item, headers, rows, count)
    _REGISTRY[kind] = spec
    return spec


def _autodiscover():
    """Import every installed app's `exports` module once, so its register() calls have run."""
    global _discovered
    if _discovered:
        return
    _discovered = True  # set first: a module being imported may itself look a kind up
    try:
        autodiscover_modules("exports")
    except Exception:
        _discovered = False  # a broken exporter module stays loud on every lookup
        raise


def get(kind):
    """The registered ExportSpec for `kind`, or None."""
    _autodiscover()
    return _REGISTRY.get(kind)


# --- What a member may see -------------------------------------------------------------------


def visible_jobs(membership):
    """The export records a member may see and download: their own, for their partner only."""
    if membership is None:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(
        partner_id=membership.partner_id, created_by_id=membership.user_id
    )


def listed_jobs(membership, *, now=None):
    """The 导出记录 page: own jobs, newest first, without the ones past their 3 days."""
    return visible_jobs(membership).filter(expires_at__gt=now or timezone.now())


def may_download(membership, job):
    spec = get(job.kind)
    return spec is not None and has_perm(membership, spec.item)


def is_running(job, *, now=None):
    """Pending or running, and not yet given up on (see STALE_AFTER): the page keeps polling."""
    return job.is_active and job.created_at > (now or timezone.now()) - STALE_AFTER


def creator_membership(job):
    """The job creator's active membership of the job's partner, or None."""
    if job.created_by_id is None:
        return None
    return (
        Membership.objects.active()
        .select_related("partner", "user")
        .filter(user_id=job.created_by_id, partner_id=job.partner_id)
        .first()
    )


# --- Services --------------------------------------------------------------------------------


def _clean_params(params):
    params = dict(params or {})
    filters = params.get("filters") or {}
    ids = params.get("ids") or []
    if not isinstance(filters, dict) or not isinstance(ids, list | tuple):
        raise DomainError(_("The export parameters are not valid."))
    ids = list(dict.fromkeys(str(i).strip() for i in ids if str(i).strip()))
    if len(ids) > MAX_SELECTED_IDS:
        raise DomainError(
            _("At most %(n)s records can be exported by selection. Export by filter instead.")
            % {"n": MAX_SELECTED_IDS}
        )
    params["filters"] = filters
    params["ids"] = ids
    return params


def active_jobs_of(user, *, now=None):
    now = now or timezone.now()
    return ExportJob.objects.filter(
        created_by=user, status__in=ACTIVE_EXPORT_STATUSES, created_at__gt=now - STALE_AFTER
    )


@transaction.atomic(durable=True)
def start_export(*, actor, kind, params=None):
    """Record an export job for `kind` and queue the task that writes its files."""
    spec = get(kind)
    if spec is None:
        raise DomainError(_("This export type does not exist."))
    if actor.membership is None:
        raise PermissionRefused(_("You do not have permission to export these records."))
    # Lock the member's row: concurrent starts by one person queue here, so the limit holds,
    # and a role changed a moment ago is the role checked.
    membership = (
        Membership.objects.active()
        .select_for_update(of=("self",))
        .select_related("partner", "user")
        .filter(pk=actor.membership.pk)
        .first()
    )
    if membership is None or not has_perm(membership, spec.item):
        raise PermissionRefused(_("You do not have permission to export these records."))
    if active_jobs_of(membership.user).count() >= MAX_ACTIVE_PER_USER:
        raise DomainError(
            _(
                "You already have %(n)s exports in progress. Wait until one of them has "
                "finished, then try again."
            )
            % {"n": MAX_ACTIVE_PER_USER}
        )
    job = ExportJob(
        partner=membership.partner,
        created_by=membership.user,
        kind=kind,
        params=_clean_params(params),
    )
    job.membership = membership
    job.total = max(0, int(spec.count(job)))
    job.save()
    audit.record(
        "export.start",
        actor=actor,
        target=job,
        after={"kind": kind, "total": job.total, "selected": len(job.params["ids"])},
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id):
    from kombu.exceptions import OperationalError

    from .tasks import run_export

    try:
        run_export.delay(job_id)
    except (OperationalError, OSError):
        # The broker is unreachable: say so now rather than leave the job pending for hours.
        log.exception("export job %s could not be queued", job_id)
        ExportJob.objects.filter(pk=job_id, status=ExportStatus.PENDING).update(
            status=ExportStatus.FAILED,
            error=_("The export could not be started. Try again later."),
            finished_at=timezone.now(),
        )


@transaction.atomic(durable=True)
def record_download(*, actor, job, fmt):
    audit.record("export.download", actor=actor, target=job, after={"format": fmt})


# --- The worker side -------------------------------------------------------------------------


class _Abandoned(Exception):
    """The job row was deleted or taken out of 导出中 while the task was writing it."""


def run_job(job_id):
    """Claim a pending job, write its files and mark it done (or failed). Returns the final status.

    The claim is a conditional UPDATE: a job that is no longer pending (another worker has it, it
    is finished, or it was deleted) is left alone, so a duplicate delivery is harmless.
    """
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING
    )
    if not claimed:
        log.info("export job %s is not pending; skipped", job_id)
        return None
    job = ExportJob.objects.select_related("partner", "created_by").get(pk=job_id)
    user = job.created_by
    language = (user.language if user is not None else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            _write(job)
        except _Abandoned:
            log.info("export job %s was abandoned while running", job_id)
            return None
        except Exception as e:
            log.exception("export job %s (%s) failed", job_id, job.kind)
            message = e.message if isinstance(e, DomainError) else _("The export failed.")
            ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING).update(
                status=ExportStatus.FAILED,
                error=str(message)[:500],
                finished_at=timezone.now(),
            )
            return ExportStatus.FAILED
    return ExportStatus.DONE


def _write(job):
    spec = get(job.kind)
    if spec is None:
        raise DomainError(_("This export type does not exist."))
    # The role may have changed since the job was queued: check it again.
    job.membership = creator_membership(job)
    if not has_perm(job.membership, spec.item):
        raise PermissionRefused(_("You do not have permission to export these records."))
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M%S")
    base = f"{job.kind}-{job.pk}-{stamp}"
    with tempfile.TemporaryDirectory(prefix="pc-export-") as tmp:
        csv_path = os.path.join(tmp, base + ".csv")
        xlsx_path = os.path.join(tmp, base + ".xlsx")
        n = _write_files(job, spec, csv_path, xlsx_path)
        try:
            with open(csv_path, "rb") as fh:
                job.csv_file.save(base + ".csv", File(fh), save=False)
            with open(xlsx_path, "rb") as fh:
                job.xlsx_file.save(base + ".xlsx", File(fh), save=False)
            finished = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
                status=ExportStatus.DONE,
                total=n,
                processed=n,
                csv_file=job.csv_file.name,
                xlsx_file=job.xlsx_file.name,
                error="",
                finished_at=timezone.now(),
            )
        except BaseException:
            _delete_files(job.csv_file.name, job.xlsx_file.name)
            raise
    if not finished:
        _delete_files(job.csv_file.name, job.xlsx_file.name)
        raise _Abandoned


def _write_files(job, spec, csv_path, xlsx_path):
    from openpyxl import Workbook

    headers = [str(h) for h in spec.headers(job)]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(spec.label))
    n = 0
    # utf-8-sig writes the BOM Excel needs to open Chinese text correctly.
    with open(csv_path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([_csv_value(h) for h in headers])
        sheet.append([_xlsx_value(sheet, h) for h in headers])
        for row in spec.rows(job):
            row = list(row)
            writer.writerow([_csv_value(v) for v in row])
            sheet.append([_xlsx_value(sheet, v) for v in row])
            n += 1
            if n % PROGRESS_EVERY == 0:
                # A plain UPDATE, committed at once, so the polling page sees it.
                still_running = ExportJob.objects.filter(
                    pk=job.pk, status=ExportStatus.RUNNING
                ).update(processed=n)
                if not still_running:
                    raise _Abandoned
    workbook.save(xlsx_path)
    return n


_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")
# Text that spreadsheet programs would run as a formula (CSV injection), unless it is a number.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$", re.ASCII)


def _sheet_title(label):
    title = _SHEET_TITLE_BAD.sub(" ", str(label)).strip()[:31]
    return title or "Export"


def _local(value):
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal | int):
        return str(value)  # exact: never through float
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        text = "'" + text
    return text


def _xlsx_value(sheet, value):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return None
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        places = max(2, -value.as_tuple().exponent) if value.is_finite() else 2
        cell.number_format = "0." + "0" * places
        return cell
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=_local(value).replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # text is text: a leading "=" must not become a formula
    return cell


# --- The sweep -------------------------------------------------------------------------------


def _delete_files(*names):
    storage = ExportJob._meta.get_field("csv_file").storage
    for name in names:
        if name:
            storage.delete(name)  # a missing file is not an error


def fail_stale(*, now=None):
    """Jobs pending or running for longer than STALE_AFTER lost their worker: mark them failed."""
    now = now or timezone.now()
    return ExportJob.objects.filter(
        status__in=ACTIVE_EXPORT_STATUSES, created_at__lte=now - STALE_AFTER
    ).update(status=ExportStatus.FAILED, finished_at=now)


def purge_expired(*, limit=500, now=None):
    """Delete one batch of expired jobs, files first (a row left behind is retried next time)."""
    now = now or timezone.now()
    batch = list(
        ExportJob.objects.filter(expires_at__lte=now)
        .order_by("pk")
        .values_list("pk", "csv_file", "xlsx_file")[:limit]
    )
    if not batch:
        return 0
    for _pk, csv_name, xlsx_name in batch:
        _delete_files(csv_name, xlsx_name)
    deleted, _per_model = ExportJob.objects.filter(pk__in=[row[0] for row in batch]).delete()
    return deleted
