from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class PortalLocaleMiddleware(LocaleMiddleware):
    """zh-hans unless the person chose otherwise: the language cookie, else their saved choice.

    The browser's Accept-Language is deliberately ignored — the portal is Chinese first, and a
    choice made in the account menu is what is remembered.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in SUPPORTED:
            user = getattr(request, "user", None)
            saved = (
                getattr(user, "language", "") if user is not None and user.is_authenticated else ""
            )
            language = saved if saved in SUPPORTED else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
