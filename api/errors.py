"""Every API error is JSON with its status and a message: never an HTML page, never a 500 for
bad input."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from newsroom.middleware import RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)


def error_body(status: int, detail: str, errors: dict | None = None) -> dict:
    body = {"status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return body


def json_exception_handler(exc, context):
    if isinstance(exc, (OperationalError, InterfaceError)):
        # As the site's pages do (newsroom/middleware.py), but in JSON for API clients.
        logger.warning("Database unavailable for the API: %s", exc)
        return Response(
            error_body(503, "The service is briefly unavailable; try again shortly."),
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
        )
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API error: a bug, left to Django's 500 handling and logging
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"query": exc.detail}
        response.data = error_body(
            response.status_code, "Some query parameters are not valid.", errors
        )
    else:
        response.data = error_body(response.status_code, str(exc.detail))
    return response


def not_found(request, *args, **kwargs):
    """Any other URL under /api/."""
    return JsonResponse(error_body(404, "No such API URL; see /api/v1/docs/."), status=404)
