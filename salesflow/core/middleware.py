from django.http import Http404, JsonResponse, QueryDict
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _


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


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in user (session or API token) and on every API
    response (the token exchange answers a secret): they carry personal data — customers, phones, names — that
    no browser history, shared proxy or back button may keep. Static files never get here (WhiteNoise answers
    them further out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response


class NulFreeQueryMiddleware:
    """Drops NUL from the query string and the form fields of a page request, and answers 404 to a path that
    holds one: PostgreSQL refuses it in any parameter (a 500 on a search such as ``?q=%00``). The API refuses it with a field error instead
    (salesflow.api's parser); forms refuse the other control characters (core.forms.TextGuard)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:  # no URL holds one; a text path parameter would carry it to the database
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "not_found", "message": str(_("Not found.")), "fields": {}}, status=404)
            raise Http404
        if not request.path.startswith("/api/"):
            if "%00" in request.META.get("QUERY_STRING", ""):
                request.GET = _without_nul(request.GET)
            if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
                request.POST = _without_nul(request.POST)
        return self.get_response(request)


def _without_nul(data):
    if not any("\x00" in k or "\x00" in v for k, values in data.lists() for v in values):
        return data
    clean = QueryDict(mutable=True)
    for key, values in data.lists():
        clean.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
    clean._mutable = False
    return clean
