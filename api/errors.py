"""Every API error is JSON with its status and a message: never an HTML page, never a 500 for
bad input."""

from django.http import JsonResponse
from rest_framework import exceptions
from rest_framework.views import exception_handler


def error_body(status: int, detail: str, errors: dict | None = None) -> dict:
    body = {"status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return body


def json_exception_handler(exc, context):
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
