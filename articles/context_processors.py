from django.conf import settings


def site_name(request):
    """The site's name, for every page's title and header."""
    return {"site_name": settings.NEWSROOM_SITE_NAME}
