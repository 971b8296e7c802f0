from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import exports
from ..actor import Actor
from ..decorators import partner_required
from ..errors import DomainError, PermissionRefused
from ..ids import parse_ids
from ..models import EXPORT_KEEP_DAYS, ExportStatus
from ..pagination import paginate
from ..redirects import safe_next

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _render_list(request, status=200):
    page_obj = paginate(request, exports.listed_jobs(request.membership))
    downloadable_kinds = {}
    for job in page_obj:
        if job.kind not in downloadable_kinds:
            downloadable_kinds[job.kind] = exports.may_download(request.membership, job)
        job.can_download = job.is_downloadable and downloadable_kinds[job.kind]
    template = "partnercenter/exports.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(
        request,
        template,
        {
            "page_obj": page_obj,
            "polling": any(exports.is_running(job) for job in page_obj),
            "keep_days": EXPORT_KEEP_DAYS,
        },
        status=status,
    )


@partner_required()
def export_list(request):
    """导出记录: the member's own export jobs; the table polls itself while one is running."""
    return _render_list(request)


@partner_required()
def export_download(request, job_id, fmt):
    if fmt not in exports.FORMATS:
        raise Http404
    job = get_object_or_404(exports.visible_jobs(request.membership), pk=job_id)
    if not exports.may_download(request.membership, job):
        raise Http404
    if job.is_expired:
        messages.error(request, _("This export has expired and its files have been deleted."))
        return _render_list(request, status=410)
    field = job.csv_file if fmt == "csv" else job.xlsx_file
    if job.status != ExportStatus.DONE or not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    exports.record_download(actor=Actor.from_request(request), job=job, fmt=fmt)
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{job.kind}-{stamp}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _filters_from(query):
    """The list page's query string as exporter filters: one value or a list, without `page`."""
    parsed = QueryDict(query or "")
    return {
        key: values[0] if len(values) == 1 else values
        for key, values in parsed.lists()
        if key != "page"
    }


@require_POST
@partner_required()
def export_start(request, kind):
    ids = [str(pk) for pk in parse_ids(request.POST.getlist("ids"))]
    try:
        if request.POST.get("mode") == "selected" and not ids:
            raise DomainError(_("Select the records to export first."))
        exports.start_export(
            actor=Actor.from_request(request),
            kind=kind,
            params={"filters": _filters_from(request.POST.get("query")), "ids": ids},
        )
    except PermissionRefused as e:
        raise PermissionDenied(str(e)) from None
    except DomainError as e:
        messages.error(request, e.message)
        return redirect(safe_next(request, "exports"))
    messages.success(request, _("Export task created."))
    return redirect("exports")
