from django.conf import settings

from .nav import build_account_menu, build_customer_nav, build_nav
from .notifications import unread_count
from .permissions import PermissionSet


def shell(request):
    """What the base layout needs: navigation, the permission set, the unread count."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "nav": build_nav(request)
        if membership and not getattr(request, "acting_as", None)
        else _customer_nav(request),
        "account_menu": build_account_menu(request)
        if membership and not getattr(request, "acting_as", None)
        else [],
        "can": PermissionSet(membership),
        "unread_notifications": _unread(request, user) if authenticated else 0,
        "brand": settings.PC_BRAND,
    }


def _unread(request, user):
    # Several renders can share one request (partials, includes): count once.
    if not hasattr(request, "_pc_unread"):
        request._pc_unread = unread_count(user)
    return request._pc_unread


def _customer_nav(request):
    return build_customer_nav(request) if getattr(request, "customer", None) is not None else []
