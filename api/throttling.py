"""A per-address request limit for the API, answered with 429 and Retry-After.

It is a middleware rather than a DRF throttle on the views so that responses served from the
page cache count too: a client sees the same limit whatever is cached. The counting itself is
DRF's (a sliding window kept in the default cache, so all workers share it).
"""

import math

from django.conf import settings
from django.http import JsonResponse
from rest_framework.throttling import SimpleRateThrottle

from api.errors import error_body

API_PREFIX = "/api/"


class ApiRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        return settings.API_RATE_LIMIT or None

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ApiRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # CORS preflights are answered before this, by the CORS middleware.
        if request.path.startswith(API_PREFIX):
            throttle = ApiRateThrottle()
            if not throttle.allow_request(request, None):
                wait = max(1, math.ceil(throttle.wait() or 1))
                response = JsonResponse(
                    error_body(
                        429, f"Too many requests from your address; try again in {wait} seconds."
                    ),
                    status=429,
                )
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)
