"""Local media served by the site in production: renditions cached for good, nothing outside
MEDIA_ROOT, files streamed rather than read."""

import io
import os
import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from django.utils.http import http_date
from PIL import Image

from articles.models import ImageCredit
from tests.conftest import PROJECT_DIR

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def credit():
    buffer = io.BytesIO()
    Image.new("RGB", (800, 500), (20, 90, 160)).save(buffer, "JPEG")
    credit = ImageCredit(alt_text="A blue square.")
    credit.image.save("photo.jpg", ContentFile(buffer.getvalue()))
    return credit


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_renditions_are_served_with_year_long_immutable_caching(client, credit, media_root):
    name = credit.renditions["webp"][0]["name"]
    response = client.get(f"/media/{name}")
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert response.streaming  # handed to the server's file wrapper, never read whole
    assert body(response) == (media_root / name).read_bytes()
    assert int(response["Content-Length"]) == (media_root / name).stat().st_size
    assert "immutable" in response["Cache-Control"]
    assert "max-age=31536000" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]


def test_originals_are_served_and_cached_for_a_day(client, credit):
    response = client.get(credit.image.url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "max-age=86400" in response["Cache-Control"]
    assert "immutable" not in response["Cache-Control"]


def test_conditional_requests_get_304(client, credit):
    first = client.get(credit.image.url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get(credit.image.url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(credit.image.url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    old = http_date(0)
    assert client.get(credit.image.url, HTTP_IF_MODIFIED_SINCE=old).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/media/missing.jpg",
        "/media/images",  # a folder
        "/media/../manage.py",
        "/media/%2e%2e/manage.py",
        "/media/..%2fmanage.py",
        "/media//etc/passwd",
        "/media/.hidden.jpg",
        "/media/images/%00.jpg",
    ],
)
def test_nothing_outside_media_root_or_hidden_is_served(client, credit, media_root, path):
    (media_root / ".hidden.jpg").write_bytes(b"x")
    (media_root / "images").mkdir(exist_ok=True)
    assert client.get(path).status_code == 404


def test_only_reads_are_allowed(client, credit):
    assert client.post(credit.image.url).status_code == 405
    assert client.head(credit.image.url).status_code == 200


def test_nginx_can_send_the_file_itself(client, credit, settings):
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    response = client.get(credit.image.url)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/protected-media/" + credit.image.name
    assert response["Content-Type"] == "image/jpeg"


def test_production_settings_serve_media(tmp_path):
    """With DEBUG=0 and local storage, /media/ is routed to the media view."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "production-like-" + "k" * 40,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    }
    env.pop("AWS_STORAGE_BUCKET_NAME", None)
    script = (
        "import django; django.setup(); from django.urls import resolve; "
        "print(resolve('/media/renditions/ab/x/640w.webp').func.__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "serve_media", result.stderr
