"""Where to send a person back to: the one check every `next` / `back` target passes.

A target comes from the client (a query parameter, a hidden field, a stored link), so it is
never trusted: only a URL on this host — a path, or this host's own absolute URL — is followed;
anything else (another site, `//evil.example`, `/\\evil.example`, `javascript:…`) falls back to
the page's default. In production an absolute URL must also be https.
"""

from django.conf import settings
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

# The names the portal's forms and links use for "the page to return to".
TARGET_PARAMS = ("next", "back")


def is_safe_target(request, url):
    """True when `url` stays on this site (and on https where it must)."""
    if not url or not isinstance(url, str):
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in url):
        # A browser drops tabs and newlines inside a URL ("/\t/evil" becomes "//evil"):
        # whatever the parser below makes of them, such a target is never one we wrote.
        return False
    return url_has_allowed_host_and_scheme(
        url,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure() or getattr(settings, "PRODUCTION", False),
    )


def safe_target(request, url, default="home"):
    """`url` if it is safe, else the `default` (a URL name or a path)."""
    return url if is_safe_target(request, url) else resolve_url(default)


def safe_next(request, default="home", *, params=TARGET_PARAMS):
    """The page to go back to: the first `next`/`back` the request carries (POST before GET)
    when it is safe, else `default` (a URL name or a path)."""
    for source in (request.POST, request.GET):
        for name in params:
            value = source.get(name)
            if value:
                return safe_target(request, value.strip(), default)
    return resolve_url(default)
