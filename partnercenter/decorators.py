"""Access for partner pages: anonymous → sign in; no partner → 403; missing item → 403."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .permissions import has_perm


def partner_required(item=None):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.membership is None:
                raise PermissionDenied("not a partner member")
            if getattr(request, "acting_as", None) is not None:
                # While acting as a customer only that customer's console is reachable.
                raise PermissionDenied("acting as a customer: switch role first")
            if item is not None and not has_perm(request.membership, item):
                raise PermissionDenied(item.code)
            return view(request, *args, **kwargs)

        wrapped.required_item = item
        return wrapped

    return decorator
