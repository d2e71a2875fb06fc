from .navigation import Sections, navigation_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_stages": navigation_for(user, request.path), "nav_sections": Sections()}
