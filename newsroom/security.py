"""The Content-Security-Policy header, which Django 5.2 does not send by itself.

The site's pages (and Django's admin) load scripts, styles and images from the site alone and
have no inline script or style, so one fixed policy built from settings covers every response;
there are no per-page nonces or exceptions that would call for a library such as django-csp.
"""

from django.conf import settings


def build_policy(directives: dict[str, list[str]]) -> str:
    """``{"default-src": ["'self'"], ...}`` as the header's ``default-src 'self'; ...`` text."""
    return "; ".join(
        " ".join([name, *sources]) if sources else name for name, sources in directives.items()
    )


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
            response[self.header] = self.policy
        return response
