from django.conf import settings

from articles.models import Section


def site_navigation(request):
    """The sections for the site header; a lazy queryset, so pages without a header pay nothing."""
    return {
        "nav_sections": Section.objects.only("name", "slug"),
        "site_name": settings.NEWSROOM_SITE_NAME,
    }
