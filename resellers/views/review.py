"""审核云经销商的合作邀请: the applications Huawei has approved, waiting for this distributor."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnercenter.actor import Actor
from partnercenter.decorators import partner_required
from partnercenter.errors import DomainError
from partnercenter.ids import parse_ids
from partnercenter.pagination import paginate
from partnercenter.permissions import P
from partnercenter.redirects import safe_next

from .. import selectors
from ..forms import ReviewFilterForm, ReviewForm
from ..services import applications as svc


@partner_required(P.RESELLER_REVIEW)
def review_list(request):
    tab = request.GET.get("tab", "pending")
    if tab not in selectors.REVIEW_TABS:
        tab = "pending"
    form = ReviewFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    qs = selectors.filter_applications(
        selectors.review_applications(request.membership, tab).select_related("distributor"),
        params,
    )
    page_obj = paginate(request, qs)
    template = "resellers/review.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(
        request,
        template,
        {
            "form": form,
            "page_obj": page_obj,
            "tab": tab,
            "hx_target": "#review-table",
            "batch_form": ReviewForm(auto_id="batch_%s"),
        },
    )


def _respond(request, context, *, status=200):
    # htmx does not swap 4xx answers by default: form errors inside the modal come back as 200.
    template = "resellers/review_one.html"
    if request.htmx:
        return render(
            request, template + ("#body" if request.method == "POST" else "#modal"), context
        )
    return render(request, template, context, status=status)


@partner_required(P.RESELLER_REVIEW)
def review_one(request, pk):
    """Row 审核: approve, or reject with a reason."""
    application = (
        selectors.reviewable(request.membership).select_related("distributor").filter(pk=pk).first()
    )
    if application is None:
        raise Http404
    form = ReviewForm(request.POST or None)
    back = safe_next(request, "resellers:review")
    context = {"application": application, "form": form, "back": back, "done": False}
    if request.method != "POST":
        return _respond(request, context)
    if not form.is_valid():
        return _respond(request, context, status=400)
    try:
        application = svc.distributor_review(
            actor=Actor.from_request(request),
            application_id=application.pk,
            approve=form.approve,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as e:
        form.add_error(e.field if e.field in form.fields else None, e.message)
        return _respond(request, context, status=400)
    context.update(application=application, done=True)
    if request.htmx:
        response = render(request, "resellers/review_one.html#body", context)
        response["HX-Trigger"] = "pc:reviewed"
        return response
    messages.success(
        request, _("Review saved: %(status)s.") % {"status": application.get_status_display()}
    )
    return redirect(back)


@require_POST
@partner_required(P.RESELLER_REVIEW)
def review_batch(request):
    """批量审批: the same decision for the selected applications, with a result per row."""
    ids = parse_ids(request.POST.getlist("ids"))
    form = ReviewForm(request.POST, auto_id="batch_%s")
    if not ids:
        messages.error(request, _("Select at least one application."))
        return redirect(safe_next(request, "resellers:review"))
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect(safe_next(request, "resellers:review"))
    # Scoped first: ids outside this distributor's reach are reported as not found, unchanged.
    names = dict(
        selectors.reviewable(request.membership)
        .filter(pk__in=ids)
        .values_list("pk", "company_name")
    )
    results = svc.batch_distributor_review(
        actor=Actor.from_request(request),
        application_ids=ids,
        approve=form.approve,
        reason=form.cleaned_data["reason"],
    )
    for r in results:
        r["name"] = names.get(r["id"], f"#{r['id']}")
    return render(
        request,
        "resellers/review_batch.html",
        {"results": results, "approve": form.approve},
    )
