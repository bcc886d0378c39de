"""Answer a page that is not found with the redirect or the "410 Gone" recorded for it."""

from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.template.loader import render_to_string

from articles.redirects.models import Redirect
from articles.text import strip_control_characters


class RedirectFallbackMiddleware:
    """Only 404s are looked up: a live page is never shadowed, and other requests cost nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        if request.path != strip_control_characters(request.path):
            # Recorded addresses never hold one (site_path), and PostgreSQL refuses a NUL.
            return response
        redirect = Redirect.objects.filter(old_path=request.path).first()
        if redirect is None:
            return response
        if redirect.is_gone:
            return HttpResponse(
                render_to_string("410.html", request=request),
                status=410,
                content_type="text/html; charset=utf-8",
            )
        target = redirect.new_path
        query = request.META.get("QUERY_STRING", "")
        if query and "?" not in target:
            target = f"{target}?{query}"
        return HttpResponsePermanentRedirect(target)
