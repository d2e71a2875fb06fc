from salesflow.org.roles import has_capability

from . import calendar


def calendar_warning(request):
    """The years whose working calendar is missing, for the banner every calendar manager sees on every page."""
    user = getattr(request, "user", None)
    if user is None or not has_capability(user, "calendar.manage"):
        return {}
    # One query per request, however many templates the request renders.
    missing = getattr(request, "_calendar_missing_years", None)
    if missing is None:
        missing = calendar.missing_banner_years()
        request._calendar_missing_years = missing
    return {"calendar_missing_years": missing}
