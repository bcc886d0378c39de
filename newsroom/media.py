"""Uploaded media served by the site itself, for a single machine with local storage.

With ``DEBUG=0`` nothing else serves ``MEDIA_ROOT``; this view does, efficiently enough for
photos of any size: the file is handed to the server's ``wsgi.file_wrapper`` (gunicorn sends
it with ``sendfile()``, never reading it into Python), with conditional GET (ETag and
Last-Modified, answered 304), and with cache headers by kind: renditions are named by their
content hash and never change, so any cache may keep them for a year (``immutable``); other
uploads for a day. Behind nginx, ``MEDIA_ACCEL_REDIRECT`` hands the sending to nginx itself
(``X-Accel-Redirect``). With a media bucket (``AWS_STORAGE_BUCKET_NAME``) media never come here.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpResponse
from django.utils._os import safe_join
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

# Names derived from the file's content (articles/images.py): the bytes behind them never change.
IMMUTABLE_PREFIXES = ("renditions/",)
IMMUTABLE_SECONDS = 365 * 24 * 3600
# Other uploads keep their name while they exist; a day, in case one is replaced.
UPLOAD_SECONDS = 24 * 3600


def media_file(path: str) -> Path:
    """The file under MEDIA_ROOT that ``path`` names, or Http404 (never outside it)."""
    if any(part.startswith(".") for part in path.split("/")):
        raise Http404("No such file.")
    try:
        full = Path(safe_join(settings.MEDIA_ROOT, path))
    except (SuspiciousFileOperation, ValueError) as error:
        raise Http404("No such file.") from error
    if not full.is_file():
        raise Http404("No such file.")
    return full


@require_safe
def serve_media(request, path: str):
    full = media_file(path)
    stat = full.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    response = get_conditional_response(request, etag=etag, last_modified=int(stat.st_mtime))
    if response is None:
        content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
        accel = settings.MEDIA_ACCEL_REDIRECT
        if accel:
            response = HttpResponse(content_type=content_type)
            response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + path
        else:
            response = FileResponse(full.open("rb"), content_type=content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(stat.st_mtime)
    if path.startswith(IMMUTABLE_PREFIXES):
        patch_cache_control(response, public=True, max_age=IMMUTABLE_SECONDS, immutable=True)
    else:
        patch_cache_control(response, public=True, max_age=UPLOAD_SECONDS)
    return response


def serves_media() -> bool:
    """Local storage: this site serves its media (a bucket serves its own)."""
    return not settings.AWS_STORAGE_BUCKET_NAME and settings.SERVE_MEDIA
