"""伙伴信息 > 管理我的凭证 (access keys) and 支持 > 伙伴API (how to call the API with the SDK).

Both serve a partner colleague with the permission and a customer's own login (whose key
answers the customer-side balance API); a partner acting for a customer cannot manage keys.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import verification
from ..actor import Actor
from ..errors import DomainError
from ..forms import AccessKeyForm
from ..permissions import P, has_perm
from ..services import access_keys as svc


def key_owner_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "acting_as", None) is not None:
            raise PermissionDenied("acting as a customer: switch role first")
        if request.membership is not None:
            if not has_perm(request.membership, P.ACCESS_KEYS_MANAGE):
                raise PermissionDenied(P.ACCESS_KEYS_MANAGE.code)
        elif getattr(request, "customer_login", None) is None:
            raise PermissionDenied("neither a partner member nor a customer login")
        return view(request, *args, **kwargs)

    return wrapped


def _account(request):
    if request.membership is not None:
        return request.partner.name, request.partner.domain_id
    return request.customer.name, request.customer.customer_id


@never_cache  # the one response that carries a secret must not be kept anywhere
@require_http_methods(["GET", "POST"])
@key_owner_required
def access_keys(request):
    actor = Actor.from_request(request)
    form = AccessKeyForm(request.POST or None)
    code_form = verification.code_form(request, actor)
    created = secret = None
    if verification.handle_send(request, code_form, actor):
        verification.quiet(form)
    elif request.method == "POST" and form.is_valid():
        try:
            created, secret = svc.create_key(
                actor=actor,
                description=form.cleaned_data["description"],
                scope=form.cleaned_data["scope"],
                code=code_form.cleaned_data.get("code") if code_form else None,
            )
        except DomainError as e:
            if not verification.show_error(code_form, e):
                form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            form = AccessKeyForm()
            code_form = verification.code_form(request, actor, fresh=True)
    keys = svc.visible_keys(actor).order_by("-created_at")
    own_active = sum(1 for k in keys if k.user_id == request.user.pk and k.is_active)
    account_name, domain_id = _account(request)
    return render(
        request,
        "partnercenter/access_keys.html",
        {
            "form": form,
            "code_form": code_form,
            "verify_enable": verification.required(actor),
            "keys": keys,
            "created": created,
            "secret": secret,
            "limit": settings.PC_ACCESS_KEYS_PER_USER,
            "room": own_active < settings.PC_ACCESS_KEYS_PER_USER,
            "account_name": account_name,
            "domain_id": domain_id,
        },
        status=400 if form.errors or (code_form and code_form.errors) else 200,
    )


ACTIONS = {
    "disable": (
        lambda actor, pk, code: svc.set_key_enabled(actor=actor, key_id=pk, enabled=False),
        _("The access key is disabled: requests signed with it are refused."),
    ),
    "enable": (
        lambda actor, pk, code: svc.set_key_enabled(
            actor=actor, key_id=pk, enabled=True, code=code
        ),
        _("The access key is enabled again."),
    ),
    "delete": (
        lambda actor, pk, code: svc.delete_key(actor=actor, key_id=pk),
        _("The access key is deleted."),
    ),
}


@require_http_methods(["GET", "POST"])
@key_owner_required
def access_key_action(request, key_id, action):
    if action not in ACTIONS:
        raise PermissionDenied("unknown action")
    actor = Actor.from_request(request)
    key = svc.visible_keys(actor).filter(pk=key_id).first()
    if key is None:
        raise Http404
    # Enabling a key is verified like the operations it can call (services.access_keys).
    code_form = verification.code_form(request, actor) if action == "enable" else None
    if request.method == "GET" or verification.handle_send(request, code_form, actor):
        # Deleting cannot be undone, enabling may need a code: a page of its own asks first
        # (works without JavaScript).
        return render(
            request,
            "partnercenter/access_key_confirm.html",
            {"key": key, "action": action, "code_form": code_form},
        )
    fn, success = ACTIONS[action]
    try:
        fn(actor, key.pk, code_form.cleaned_data.get("code") if code_form else None)
    except DomainError as e:
        if verification.show_error(code_form, e):
            return render(
                request,
                "partnercenter/access_key_confirm.html",
                {"key": key, "action": action, "code_form": code_form},
                status=400,
            )
        messages.error(request, e.message)
    else:
        messages.success(request, success)
    return redirect("access_keys")


@key_owner_required
def api_guide(request):
    from ..api.site import api

    schema = api.get_openapi_schema()
    operations = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "name": op.get("operationId", ""),
                    # Marked with gettext_noop where the operation is declared.
                    "summary": gettext(op.get("summary", "")),
                    "tag": (op.get("tags") or [""])[0],
                }
            )
    account_name, domain_id = _account(request)
    key = (
        svc.visible_keys(Actor.from_request(request))
        .filter(user=request.user, status="active")
        .first()
    )
    return render(
        request,
        "partnercenter/api_guide.html",
        {
            "operations": operations,
            "endpoint": f"{request.scheme}://{request.get_host()}",
            "domain_id": domain_id,
            "account_name": account_name,
            "access_key_id": key.access_key_id if key else "",
            "rate_limit": settings.PC_API_RATE_LIMIT,
            "max_body_kb": settings.PC_API_MAX_BODY_BYTES // 1024,
            "is_customer": request.membership is None,
        },
    )
