import re

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path

from api.errors import not_found as api_not_found
from newsroom.media import serve_media, serves_media


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon, such as the admin's."""
    return HttpResponsePermanentRedirect(static_url("articles/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("api/v1/", include("api.urls")),
    re_path(r"^api/", api_not_found),  # other versions: a JSON 404, not the site's page
    path("", include("articles.urls")),
]

# The 400 and 500 pages render without the database, which may be what failed.
handler400 = "articles.views.bad_request"
handler500 = "articles.views.server_error"

if serves_media():
    urlpatterns.insert(
        0, re_path(rf"^{re.escape(settings.MEDIA_URL.strip('/'))}/(?P<path>.+)$", serve_media)
    )
