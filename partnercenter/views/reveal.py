from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .. import audit, masking
from ..actor import Actor
from ..redirects import safe_next


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
    return redirect(safe_next(request, "home"))


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
            "next": safe_next(request, "home"),
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
