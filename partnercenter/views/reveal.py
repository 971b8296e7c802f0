from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .. import audit, masking
from ..actor import Actor


def _resolve(request):
    ref = masking.read_token(request.POST.get("token", ""))
    if ref is None:
        raise Http404
    key, pk, field = ref
    spec = masking.get(key)
    if spec is None or field not in spec.fields:
        raise Http404
    obj = spec.queryset(request).filter(pk=pk).first()
    if obj is None:
        raise Http404  # outside this request's scope, or gone
    return spec, obj, field


def _back(request):
    nxt = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(nxt)
    return redirect("home")


def _fragment(request, spec, obj, field, revealed):
    value = getattr(obj, field, "") or ""
    return render(
        request,
        "partials/masked.html",
        {
            "token": request.POST["token"],
            "revealed": revealed,
            "value": value if revealed else "",
            "masked_value": masking.MASKERS[spec.fields[field]](value),
            "next": request.POST.get("next", ""),
        },
    )


@require_POST
def reveal(request):
    if not request.user.is_authenticated:
        raise Http404
    spec, obj, field = _resolve(request)
    with transaction.atomic():
        audit.record(
            "pii.reveal",
            actor=Actor.from_request(request),
            target=obj,
            after={"field": field, "kind": spec.key},
        )
    masking.remember(request.session, request.POST["token"])
    if request.htmx:
        return _fragment(request, spec, obj, field, True)
    return _back(request)


@require_POST
def hide(request):
    if not request.user.is_authenticated:
        raise Http404
    spec, obj, field = _resolve(request)
    masking.forget(request.session, request.POST["token"])
    if request.htmx:
        return _fragment(request, spec, obj, field, False)
    return _back(request)
