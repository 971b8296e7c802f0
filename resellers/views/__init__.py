from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default):
    """The page to go back to: a local `next`/`back` the form carried, or `default`."""
    nxt = (
        request.POST.get("next")
        or request.POST.get("back")
        or request.GET.get("next")
        or request.GET.get("back")
        or ""
    )
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return reverse(default)
