"""Two-factor sign-in where it is compulsory (allauth.mfa does the factors themselves).

- Platform staff: the Django admin opens only to a staff user who has an authenticator *and*
  whose sign-in in this very session passed it (allauth records the methods a session was
  authenticated with). Without one they are sent to set it up; with one but a password-only
  session, to confirm it.
- Partner colleagues: when the partner admin requires it (伙伴信息), a member without an
  authenticator can reach nothing but the set-up pages and sign-out until one is active — at
  the next sign-in, or on the next request if already signed in.

After setting up, the person is offered the way back to the page they first asked for.
"""

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .redirects import is_safe_target

NEXT_SESSION_KEY = "pc_mfa_next"

# What a person who still owes a second factor may open: setting it up, confirming it, the
# recovery codes it produces, signing out (and choosing the language of those pages).
ALLOWED_URL_NAMES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_reauthenticate",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "account_logout",
        "set_language",
    }
)


def has_authenticator(user):
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_passed_mfa(request):
    """Did this session's sign-in (or a later confirmation in it) use the second factor?"""
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


def _is_admin_path(path):
    return path.startswith(reverse("admin:index"))


def _url_name(path):
    try:
        return resolve(path).url_name
    except Resolver404:
        return None


def staff_gate(request):
    """None when this staff request may use the admin, else where to send it."""
    if not has_authenticator(request.user):
        return "mfa_activate_totp"
    if not session_passed_mfa(request):
        return "mfa_reauthenticate"
    return None


def member_gate(request):
    membership = getattr(request, "membership", None)
    if membership is None or not membership.partner.require_mfa:
        return None
    return None if has_authenticator(request.user) else "mfa_activate_totp"


def _send(request, where):
    # Remember the page to come back to. A POST is not replayed: it is sent on to the home page.
    back = request.get_full_path() if request.method == "GET" else ""
    if not is_safe_target(request, back):
        back = ""
    if back and _url_name(back.split("?", 1)[0]) not in ALLOWED_URL_NAMES:
        request.session[NEXT_SESSION_KEY] = back
    elif not back:
        request.session.pop(NEXT_SESSION_KEY, None)
    url = reverse(where)
    if where == "mfa_reauthenticate":
        url += "?" + urlencode({"next": back or reverse("admin:index")})
        messages.warning(
            request,
            _("Confirm the sign-in with your authenticator app to use the administration."),
        )
    else:
        messages.warning(
            request,
            _("Two-factor authentication is required: activate an authenticator app first."),
        )
    if getattr(request, "htmx", False):
        from django_htmx.http import HttpResponseClientRedirect

        return HttpResponseClientRedirect(url)
    return redirect(url)


class MfaRequiredMiddleware:
    """Runs after the tenancy middleware (it needs request.membership)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _exempt(request.path_info):
            where = None
            if user.is_staff and _is_admin_path(request.path_info):
                where = staff_gate(request)
            elif _url_name(request.path_info) not in ALLOWED_URL_NAMES:
                where = member_gate(request)
            if where is not None:
                return _send(request, where)
        return self.get_response(request)


def _exempt(path):
    # The signed API authenticates each request by its key, not the session; health checks and
    # assets carry no person.
    return path.startswith(("/v2/", "/v3/", "/healthz", settings.STATIC_URL))


def continue_url(request):
    """Where the 'Continue' button after setting up leads: the page first asked for."""
    from .redirects import safe_target

    return safe_target(request, request.session.get(NEXT_SESSION_KEY), "home")
