"""Author photos pass the same checks and get the same renditions as article photos; very tall
images are accepted without WebP; a save that fails leaves no file in storage."""

import io

import pytest
from django.contrib import admin
from django.urls import reverse
from PIL import Image

from articles.models import Author, ImageCredit
from tests.staff import staff_user
from tests.test_images import jpeg_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media_root) -> list[str]:
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def encoded(image_format: str, size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#a3001b").save(buffer, image_format)
    return buffer.getvalue()


def author_form(photo, **fields) -> dict:
    return {"name": "Jane Roe", "slug": "jane-roe", "email": "", "bio": "", "photo": photo} | fields


BAD_PHOTOS = {
    "truncated JPEG": ("cut.jpg", lambda: jpeg_bytes((800, 600))[:3000], "damaged or incomplete"),
    "BMP": ("photo.bmp", lambda: encoded("BMP"), "not a JPEG, PNG or WebP"),
    "TIFF": ("photo.tiff", lambda: encoded("TIFF"), "not a JPEG, PNG or WebP"),
    "ICO": ("favicon.ico", lambda: encoded("ICO", (32, 32)), "not a JPEG, PNG or WebP"),
    "GIF named .pdf": ("cv.pdf", lambda: encoded("GIF"), "not a JPEG, PNG or WebP"),
    "too many pixels": ("huge.png", lambda: png_bytes((2000, 1000), mode="L"), "megapixels"),
    "too many bytes": ("big.jpg", lambda: jpeg_bytes((200, 100)) + b"\0" * 30_000, "largest"),
}


@pytest.mark.parametrize("case", BAD_PHOTOS)
def test_author_photo_refused_like_an_article_photo(client, settings, media_root, case):
    """Each bad file is refused on the author form with the photo rules' message; nothing is
    created and nothing is stored."""
    settings.NEWSROOM_IMAGE_MAX_PIXELS = 1_000_000
    settings.NEWSROOM_IMAGE_MAX_BYTES = 20_000
    name, content, message = BAD_PHOTOS[case]
    client.force_login(staff_user("Editor"))
    response = client.post(
        reverse("admin:articles_author_add"), author_form(upload(name, content()))
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Author.objects.exists()
    assert stored_files(media_root) == []


def test_author_photo_gets_renditions_and_readers_never_get_the_original(client, media_root):
    """A good portrait is stored under its real type, measured and rendered; what pages use
    (``author.picture``, JSON-LD) points at renditions, never at the uploaded file."""
    client.force_login(staff_user("Editor"))
    response = client.post(
        reverse("admin:articles_author_add"),
        author_form(upload("Jane Portrait.PNG", jpeg_bytes((1200, 1500)))),
    )
    assert response.status_code == 302
    author = Author.objects.get()
    assert author.photo.name.endswith(".jpg")
    assert (author.photo_width, author.photo_height) == (1200, 1500)
    widths = [r["w"] for r in author.photo_renditions["webp"]]
    assert widths == [160, 320, 640, 960, 1200]
    picture = author.picture
    assert author.photo.url not in (picture.src, picture.thumbnail_url)
    assert "/renditions/" in picture.src
    html = client.get(author.get_absolute_url()).content.decode()
    assert author.photo.url not in html.split("application/ld+json", 1)[1].split("</script>")[0]


def test_very_tall_infographic_is_accepted_without_webp(client, media_root):
    """800 × 17000 is within every limit but past WebP's 16,383 px: accepted, with every width
    in the fallback format and no WebP set."""
    client.force_login(staff_user("Editor"))
    response = client.post(
        reverse("admin:articles_imagecredit_add"),
        {"image": upload("chart.png", png_bytes((800, 17000), mode="RGB")), "caption": "Chart"},
    )
    assert response.status_code == 302
    credit = ImageCredit.objects.get()
    assert (credit.width, credit.height) == (800, 17000)
    assert credit.renditions["webp"] == []
    assert [r["w"] for r in credit.renditions["fallback"]] == [160, 320, 640, 800]
    assert credit.picture.webp_srcset == ""


def test_too_long_a_side_is_refused_with_a_message(client, media_root):
    """A side past what any rendition format can hold is refused, not a 500."""
    client.force_login(staff_user("Editor"))
    response = client.post(
        reverse("admin:articles_imagecredit_add"),
        {"image": upload("strip.png", png_bytes((2, 70000), mode="L")), "caption": "Strip"},
    )
    assert response.status_code == 200
    assert "no side may be longer" in response.content.decode()
    assert not ImageCredit.objects.exists() and stored_files(media_root) == []


@pytest.mark.parametrize("model", [ImageCredit, Author])
def test_a_failed_save_leaves_no_files(client, media_root, monkeypatch, model):
    """The photo and its renditions are written, then the save fails and rolls back: storage
    holds nothing of it afterwards."""
    model_admin = admin.site._registry[model]

    def fail(*args, **kwargs):
        raise RuntimeError("the save failed after the files were written")

    monkeypatch.setattr(type(model_admin), "log_addition", fail)
    client.force_login(staff_user("Editor"))
    if model is Author:
        url, data = reverse("admin:articles_author_add"), author_form(None)
        field = "photo"
    else:
        url, data = reverse("admin:articles_imagecredit_add"), {"caption": "Boats"}
        field = "image"
    data[field] = upload("boats.jpg", jpeg_bytes((1000, 700)))
    with pytest.raises(RuntimeError):
        client.post(url, data)
    assert not model.objects.exists()
    assert stored_files(media_root) == []


def test_portraits_from_before_renditions_get_them_on_migrate(media_root):
    """The data step of migration 0008 renders a portrait stored before renditions existed,
    and leaves an unreadable one untouched."""
    import importlib

    from django.apps import apps
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    migration = importlib.import_module("articles.migrations.0011_author_photo_renditions")
    good = default_storage.save("authors/old.jpg", ContentFile(jpeg_bytes((400, 400))))
    bad = default_storage.save("authors/old.bmp", ContentFile(encoded("BMP")))
    Author.objects.create(name="Old", slug="old")
    Author.objects.create(name="Odd", slug="odd")
    Author.objects.filter(slug="old").update(photo=good)
    Author.objects.filter(slug="odd").update(photo=bad)
    migration.render_existing_portraits(apps, None)
    old, odd = Author.objects.get(slug="old"), Author.objects.get(slug="odd")
    assert (old.photo_width, old.photo_height) == (400, 400)
    assert [r["w"] for r in old.photo_renditions["webp"]] == [160, 320, 400]
    assert odd.photo.name == bad and odd.photo_renditions == {}
