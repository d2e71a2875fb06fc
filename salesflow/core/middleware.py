from django.utils import translation


class UserLanguageMiddleware:
    """Chooses the interface language: the signed-in user's saved choice, else the language cookie, else
    simplified Chinese. The browser's Accept-Language is deliberately ignored: the product's default is 简体."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        available = dict(settings.LANGUAGES)
        user = getattr(request, "user", None)
        language = ""
        if user is not None and user.is_authenticated:
            language = getattr(user, "language", "")
        if language not in available:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in available:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
