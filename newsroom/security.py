"""The Content-Security-Policy header, which Django 5.2 does not send by itself.

The site's pages (and Django's admin) load scripts, styles and images from the site alone and
have no inline script or style, so one fixed policy built from settings covers every response;
there are no per-page nonces or exceptions that would call for a library such as django-csp.
"""

import base64
import functools
import hashlib
import re

from django.conf import settings
from django.urls import reverse


def build_policy(directives: dict[str, list[str]]) -> str:
    """``{"default-src": ["'self'"], ...}`` as the header's ``default-src 'self'; ...`` text."""
    return "; ".join(
        " ".join([name, *sources]) if sources else name for name, sources in directives.items()
    )


@functools.cache
def admin_inline_script_sources() -> tuple[str, ...]:
    """The hash of the one inline script the admin needs: the body editor's import map.

    Import maps cannot be loaded from a file, so the policy names this exact script (its
    static URLs included) rather than allowing inline scripts in general.
    """
    from django_prose_editor.widgets import importmap

    script = re.fullmatch(r"<script[^>]*>(.*)</script>", str(importmap), re.DOTALL)
    digest = hashlib.sha256(script.group(1).encode()).digest()
    return (f"'sha256-{base64.b64encode(digest).decode()}'",)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = build_policy(settings.CONTENT_SECURITY_POLICY)
        # Report-only lets a new policy be tried on live traffic before it is enforced.
        self.header = (
            "Content-Security-Policy-Report-Only"
            if settings.CONTENT_SECURITY_POLICY_REPORT_ONLY
            else "Content-Security-Policy"
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and self.header not in response:
            admin = request.path.startswith(self.admin_prefix)
            response[self.header] = self.admin_policy if admin else self.policy
        return response

    # Both are worked out on the first request, once the URLs and static files are ready.
    @functools.cached_property
    def admin_prefix(self) -> str:
        return reverse("admin:index")

    @functools.cached_property
    def admin_policy(self) -> str:
        directives = dict(settings.CONTENT_SECURITY_POLICY)
        directives["script-src"] = [*directives["script-src"], *admin_inline_script_sources()]
        # The body editor injects its own base stylesheet as a <style> element, built in the
        # browser, so no hash can be known here; staff pages allow inline styles, never scripts.
        directives["style-src"] = [*directives["style-src"], "'unsafe-inline'"]
        return build_policy(directives)
