from .models import Membership


class TenancyMiddleware:
    """Sets request.membership and request.partner: the tenant every partner query starts from.

    Plain attributes (not lazy objects) so that `request.partner is None` means what it says.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.partner = None
        if request.user.is_authenticated:
            request.membership = (
                Membership.objects.active()
                .select_related("partner", "partner__distributor")
                .filter(user=request.user)
                .first()
            )
            if request.membership is not None:
                request.partner = request.membership.partner
        return self.get_response(request)


class RefuseNulMiddleware:
    """A NUL character (\\x00) anywhere in a portal request is refused here, once, with a 400
    that says where it was — never passed on to PostgreSQL, which cannot store it and would
    turn a search box or a `page` parameter into a 500.

    Django's form CharField already refuses NUL, but query parameters, hidden fields, ids and
    path segments read directly by views are not form fields. The partner API (/v2/, /v3/)
    answers in its own JSON envelope and checks its own input.

    It runs before the session and the user are read, so a NUL in a cookie never reaches the
    session store either.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .api.middleware import is_api_path

        if not is_api_path(request.path_info):
            where = nul_in_request(request)
            if where is not None:
                return refuse_bad_request(request, where)
        return self.get_response(request)


def _has_nul(text):
    return isinstance(text, str) and "\x00" in text


def _in_querydict(qd):
    for key, values in qd.lists():
        if _has_nul(key) or any(_has_nul(v) for v in values):
            return key
    return None


def nul_in_request(request):
    """Where the request carries a NUL — (kind, name) — or None."""
    from django.http.multipartparser import MultiPartParserError

    if _has_nul(request.path):
        return ("path", "")
    key = _in_querydict(request.GET)
    if key is not None:
        return ("parameter", key)
    for name, value in request.COOKIES.items():
        if _has_nul(name) or _has_nul(value):
            return ("header", "")
    for name, value in request.META.items():
        if name.startswith("HTTP_") and _has_nul(value):
            return ("header", "")
    if request.method in ("POST", "PUT", "PATCH"):
        try:
            post, files = request.POST, request.FILES
        except MultiPartParserError:
            return None  # a broken body: the view answers it as it always has
        key = _in_querydict(post)
        if key is not None:
            return ("field", key)
        for key, uploaded in files.lists():
            if _has_nul(key) or any(_has_nul(f.name) for f in uploaded):
                return ("field", key)
    return None


def _printable(name):
    name = name.replace("\x00", "\\x00")
    return name if len(name) <= 40 else name[:39] + "…"


def _nul_message(kind, name):
    from django.utils.translation import gettext as _

    name = _printable(name)
    if kind == "parameter":
        return _(
            "The parameter “%(name)s” contains a NUL character (U+0000), which is not allowed. "
            "Remove it and try again."
        ) % {"name": name}
    if kind == "field":
        return _(
            "The field “%(name)s” contains a NUL character (U+0000), which is not allowed. "
            "Remove it and try again."
        ) % {"name": name}
    if kind == "path":
        return _("The address contains a NUL character (U+0000), which is not allowed.")
    return _("A cookie or request header contains a NUL character (U+0000), which is not allowed.")


def refuse_bad_request(request, where):
    """The portal's own 400 page, in the visitor's language, without touching session or DB."""
    from django.conf import settings
    from django.http import HttpResponseBadRequest
    from django.template.loader import render_to_string
    from django.utils import translation

    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        body = render_to_string("400.html", {"message": _nul_message(*where)})
    return HttpResponseBadRequest(body)
