from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles.caching import navigation_sections


def site_navigation(request):
    """The sections for the site header, read only by pages that print the header."""
    return {
        "nav_sections": SimpleLazyObject(navigation_sections),
        "site_name": settings.NEWSROOM_SITE_NAME,
    }
