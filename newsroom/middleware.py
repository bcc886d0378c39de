"""A database outage answered as what it is: 503 Service Unavailable, with Retry-After."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    """Turn "cannot reach the database" into a short 503 instead of a 500 and a traceback.

    Connection errors are passing (a restart, a failover); clients and proxies that see 503
    with Retry-After try again, and Django's connection health checks reconnect on the next
    request. Other database errors are bugs and stay 500s.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.warning("Database unavailable for %s: %s", request.path, exception)
        response = HttpResponse(
            render_to_string("503.html", request=None),
            status=503,
            content_type="text/html; charset=utf-8",
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
