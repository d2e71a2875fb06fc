from django.utils import translation

from salesflow.audit import context as audit_context


def client_ip(request) -> str:
    # Behind a trusted proxy, the first X-Forwarded-For hop is the client (set TRUST_PROXY=1).
    from django.conf import settings

    if getattr(settings, "TRUST_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or ""


class RequestContextMiddleware:
    """Makes the caller's IP available to audit events written by services during this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit_context.set_ip(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            audit_context.reset_ip(token)


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
