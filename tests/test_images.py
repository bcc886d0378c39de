"""Photo uploads: only real, whole, reasonably sized JPEG/PNG/WebP; metadata read from the file;
renditions made once and served with srcset, sizes, width and height."""

import io
import struct

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles import images
from articles.models import ImageCredit
from tests.staff import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def jpeg_bytes(size=(1200, 800), color=(180, 40, 40), exif=None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, "JPEG", quality=85, **kwargs)
    return buffer.getvalue()


def png_bytes(size=(300, 200), mode="RGBA") -> bytes:
    buffer = io.BytesIO()
    color = {"RGBA": (0, 128, 0, 128), "RGB": (0, 128, 0)}.get(mode, 128)
    Image.new(mode, size, color).save(buffer, "PNG")
    return buffer.getvalue()


def iptc_dataset(record: int, dataset: int, value: str | bytes) -> bytes:
    data = value if isinstance(value, bytes) else value.encode("utf-8")
    return struct.pack(">BBBH", 0x1C, record, dataset, len(data)) + data


def with_photoshop_iptc(jpeg: bytes, iptc: bytes) -> bytes:
    """The JPEG with an APP13 Photoshop block holding ``iptc`` as its IPTC-IIM resource."""
    if len(iptc) % 2:
        iptc += b"\0"
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\0\0" + struct.pack(">I", len(iptc)) + iptc
    payload = b"Photoshop 3.0\0" + resource
    segment = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def with_iptc(jpeg: bytes, fields: dict[tuple[int, int], str | bytes], utf8=True) -> bytes:
    """The JPEG with IPTC-IIM datasets, as agencies send; marked as UTF-8 unless ``utf8`` is
    False (older software wrote Latin-1 and no marker)."""
    iptc = iptc_dataset(1, 90, "\x1b%G") if utf8 else b""  # coded character set: UTF-8
    for (record, dataset), value in fields.items():
        iptc += iptc_dataset(record, dataset, value)
    return with_photoshop_iptc(jpeg, iptc)


def upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_accepts_a_real_jpeg_png_and_webp():
    """Pillow-made images of each allowed type pass, with their size measured."""
    webp = io.BytesIO()
    Image.new("RGB", (640, 480), "blue").save(webp, "WEBP")
    for name, content, expected in (
        ("a.jpg", jpeg_bytes((1200, 800)), ("JPEG", 1200, 800)),
        ("b.png", png_bytes((300, 200)), ("PNG", 300, 200)),
        ("c.webp", webp.getvalue(), ("WEBP", 640, 480)),
    ):
        info = images.inspect_upload(upload(name, content))
        assert (info.format, info.width, info.height) == expected


def test_rejects_text_renamed_jpg():
    """A text file called .jpg is not a photo."""
    with pytest.raises(ValidationError) as error:
        images.inspect_upload(upload("notes.jpg", b"Just some text, not a photo.\n" * 20))
    assert error.value.code == "not_an_image"


def test_rejects_truncated_image():
    """A JPEG cut off half way is refused as damaged."""
    content = jpeg_bytes((800, 600))
    with pytest.raises(ValidationError) as error:
        images.inspect_upload(upload("cut.jpg", content[: len(content) // 2]))
    assert error.value.code in {"damaged", "not_an_image"}


def test_rejects_other_formats():
    """GIF and BMP are real images but not ones we publish."""
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    with pytest.raises(ValidationError):
        images.inspect_upload(upload("a.gif", buffer.getvalue(), "image/gif"))


def test_rejects_oversized_bytes_and_pixels(settings):
    """Over the byte limit, or over the pixel limit (checked before decoding), is refused."""
    settings.NEWSROOM_IMAGE_MAX_BYTES = 10_000
    with pytest.raises(ValidationError) as error:
        images.inspect_upload(upload("big.jpg", jpeg_bytes((1200, 800)) + b"\0" * 20_000))
    assert error.value.code == "too_large"

    settings.NEWSROOM_IMAGE_MAX_BYTES = 20 * 1024 * 1024
    settings.NEWSROOM_IMAGE_MAX_PIXELS = 1_000_000
    with pytest.raises(ValidationError) as error:
        images.inspect_upload(upload("wide.png", png_bytes((2000, 1000), mode="L")))
    assert error.value.code == "too_many_pixels"


def test_decompression_bomb_is_refused_without_decoding(settings, monkeypatch):
    """A tiny file that claims a huge canvas fails on its header: no pixel is decoded."""
    # A 1-bit PNG of 30000 x 30000 compresses to a few kilobytes.
    buffer = io.BytesIO()
    Image.new("1", (30000, 30000)).save(buffer, "PNG")
    assert len(buffer.getvalue()) < 1_000_000

    def no_decoding(self):
        raise AssertionError("the bomb was decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    with pytest.raises(ValidationError) as error:
        images.inspect_upload(upload("bomb.png", buffer.getvalue(), "image/png"))
    assert error.value.code == "too_many_pixels"


def test_reads_credit_from_iptc():
    """Caption, credit, creator, copyright and place come from the IPTC block."""
    content = with_iptc(
        jpeg_bytes(),
        {
            (2, 120): "Putin greets Choe Son Hui in the Kremlin.",
            (2, 110): "Reuters-Yonhap",
            (2, 80): "Maxim Shemetov",
            (2, 116): "© 2024 Reuters",
            (2, 90): "Moscow",
            (2, 101): "Russia",
        },
    )
    info = images.inspect_upload(upload("iptc.jpg", content))
    assert info.metadata.caption == "Putin greets Choe Son Hui in the Kremlin."
    assert info.metadata.credit_line == "Reuters-Yonhap"
    assert info.metadata.creator == "Maxim Shemetov"
    assert info.metadata.copyright_notice == "© 2024 Reuters"
    assert info.metadata.place == "Moscow (Russia)"


def test_reads_credit_from_exif():
    """Without IPTC, EXIF's description, artist and copyright are used."""
    exif = Image.Exif()
    exif[images.EXIF_IMAGE_DESCRIPTION] = "A harbour at dawn."
    exif[images.EXIF_ARTIST] = "Ana Photographer"
    exif[images.EXIF_COPYRIGHT] = "Ana Photographer 2024"
    info = images.inspect_upload(upload("exif.jpg", jpeg_bytes(exif=exif.tobytes())))
    assert info.metadata.caption == "A harbour at dawn."
    assert info.metadata.creator == "Ana Photographer"
    assert info.metadata.copyright_notice == "Ana Photographer 2024"


def test_exif_rotation_swaps_the_stored_size():
    """A portrait photo stored sideways with orientation 6 is measured as shown."""
    exif = Image.Exif()
    exif[images.EXIF_ORIENTATION] = 6
    info = images.inspect_upload(upload("r.jpg", jpeg_bytes((1200, 800), exif=exif.tobytes())))
    assert (info.width, info.height) == (800, 1200)


@pytest.fixture
def photo_editor(db):
    return staff_user("Editor")


def test_admin_refuses_a_fake_image(client, photo_editor):
    """The admin form shows the reason and stores nothing."""
    client.force_login(photo_editor)
    response = client.post(
        reverse("admin:articles_imagecredit_add"),
        {"image": upload("fake.jpg", b"<?php echo 'hi'; ?>" * 10), "caption": "x"},
    )
    assert response.status_code == 200
    assert "not a JPEG, PNG or WebP image" in response.content.decode()
    assert not ImageCredit.objects.exists()


def test_renditions_made_once_and_cached(media_root):
    """Saving a credit makes WebP and JPEG renditions at several widths; a second credit with
    the same photo reuses the stored files."""
    credit = ImageCredit(caption="c", alt_text="a")
    credit.image.save("p.jpg", ContentFile(jpeg_bytes((2400, 1600))), save=False)
    credit.save()
    credit.refresh_from_db()
    webp = credit.renditions["webp"]
    fallback = credit.renditions["fallback"]
    assert [r["w"] for r in webp] == list(images.RENDITION_WIDTHS)
    assert all(r["name"].endswith(".webp") for r in webp)
    assert all(r["name"].endswith(".jpg") for r in fallback)
    stored = {p.name: p.stat().st_mtime_ns for p in media_root.rglob("renditions/**/*.*")}
    assert len(stored) == 2 * len(images.RENDITION_WIDTHS) + len(images.CROPS)
    with Image.open(media_root / webp[1]["name"]) as small:
        assert small.size == (320, 213) and small.format == "WEBP"

    again = ImageCredit(caption="same photo")
    again.image.save("p2.jpg", ContentFile(jpeg_bytes((2400, 1600))), save=False)
    again.save()
    again.refresh_from_db()
    assert again.renditions["webp"] == webp
    after = {p.name: p.stat().st_mtime_ns for p in media_root.rglob("renditions/**/*.*")}
    assert after == stored


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((2400, 1600), {"16x9": (1200, 675), "4x3": (1200, 900), "1x1": (1200, 1200)}),
        ((800, 1200), {"16x9": (800, 450), "4x3": (800, 600), "1x1": (800, 800)}),
        ((1000, 300), {"16x9": (533, 300), "4x3": (400, 300), "1x1": (300, 300)}),
    ],
)
def test_crops_in_the_three_ratios_search_engines_want(media_root, size, expected):
    """Centred 16:9, 4:3 and 1:1 crops, 1,200 px wide at most, never upscaled."""
    credit = ImageCredit(caption="c", alt_text="a")
    credit.image.save("wide.jpg", ContentFile(jpeg_bytes(size)), save=False)
    credit.save()
    crops = credit.renditions["crops"]
    assert {ratio: (crop["w"], crop["h"]) for ratio, crop in crops.items()} == expected
    for crop in crops.values():
        with Image.open(media_root / crop["name"]) as image:
            assert image.size == (crop["w"], crop["h"]) and image.format == "JPEG"


def test_small_png_with_alpha_keeps_png_fallback():
    """Transparency survives: the fallback is PNG, and no rendition is wider than the file."""
    credit = ImageCredit(caption="logo")
    credit.image.save("logo.png", ContentFile(png_bytes((500, 250))), save=False)
    credit.save()
    widths = [r["w"] for r in credit.renditions["fallback"]]
    assert widths == [160, 320, 500]
    assert all(r["name"].endswith(".png") for r in credit.renditions["fallback"])


def test_article_page_serves_srcset_sizes_and_dimensions(
    client, make_article, warm_navigation, django_assert_max_num_queries
):
    """The figure has <picture> with WebP srcset, a fallback srcset, sizes, width and height,
    within the page's query budget."""
    credit = ImageCredit(caption="Harbour", alt_text="Boats in a harbour", credit_line="AP")
    credit.image.save("h.jpg", ContentFile(jpeg_bytes((1500, 1000))), save=False)
    credit.save()
    article = make_article(lead_image=credit)
    warm_navigation()
    with django_assert_max_num_queries(7):
        html = client.get(article.get_absolute_url()).content.decode()
    figure = html[html.index("<figure") : html.index("</figure>")]
    assert '<source type="image/webp" srcset="' in figure
    assert " 320w" in figure and " 1500w" in figure and 'sizes="' in figure
    assert 'width="1500" height="1000"' in figure
    assert 'alt="Boats in a harbour"' in figure


def test_home_lead_photo_is_a_responsive_rendition_fetched_first(client, make_article):
    """The home page's lead photo: <picture> with WebP and JPEG srcsets, sizes, width and
    height, high fetch priority; never the uploaded original."""
    credit = ImageCredit(caption="Lead", alt_text="A wide lead photo")
    credit.image.save("lead.jpg", ContentFile(jpeg_bytes((2400, 1600))), save=False)
    credit.save()
    make_article(lead_image=credit, headline="The lead story")
    html = client.get(reverse("articles:home")).content.decode()
    lead = html[html.index('<article class="lead-story">') : html.index("</article>")]
    assert '<source type="image/webp" srcset="/media/renditions/' in lead
    assert " 640w" in lead and " 1920w" in lead and 'sizes="' in lead
    assert 'width="2400" height="1600"' in lead and 'fetchpriority="high"' in lead
    assert credit.image.url not in html
    assert html.count('fetchpriority="high"') == 1


def test_article_metadata_offers_the_three_crops(client, make_article):
    """JSON-LD lists the 16:9, 4:3 and 1:1 crops; link previews get the 16:9 one."""
    import json
    import re

    credit = ImageCredit(caption="Lead", alt_text="A wide lead photo")
    credit.image.save("lead.jpg", ContentFile(jpeg_bytes((2400, 1600))), save=False)
    credit.save()
    article = make_article(lead_image=credit)
    html = client.get(article.get_absolute_url()).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)
    news = next(json.loads(b) for b in blocks if json.loads(b)["@type"] == "NewsArticle")
    assert [(i["width"], i["height"]) for i in news["image"]] == [
        (1200, 675),
        (1200, 900),
        (1200, 1200),
    ]
    assert all(i["url"].startswith("http://testserver/media/renditions/") for i in news["image"])
    assert f'<meta property="og:image" content="{news["image"][0]["url"]}">' in html
    assert '<meta property="og:image:width" content="1200">' in html
    assert html.count('fetchpriority="high"') == 1


def test_admin_lists_show_thumbnails(client, photo_editor, make_article):
    """Image credit and article lists show a small rendition as a thumbnail."""
    credit = ImageCredit(caption="Thumb", alt_text="t")
    credit.image.save("t.jpg", ContentFile(jpeg_bytes((800, 600))), save=False)
    credit.save()
    make_article(lead_image=credit)
    client.force_login(photo_editor)
    for name in ("admin:articles_imagecredit_changelist", "admin:articles_article_changelist"):
        html = client.get(reverse(name)).content.decode()
        assert 'class="nr-thumb" src="/media/renditions/' in html, name


def test_refresh_renditions_brings_older_photos_up_to_date(media_root):
    """Photos stored before the crops existed get them; a missing file is reported."""
    from django.core.management import CommandError, call_command

    credit = ImageCredit(caption="old", alt_text="a")
    credit.image.save("old.jpg", ContentFile(jpeg_bytes((1600, 900))), save=False)
    credit.save()
    older = {k: v for k, v in credit.renditions.items() if k != "crops"} | {"version": 1}
    ImageCredit.objects.filter(pk=credit.pk).update(renditions=older)
    lost = ImageCredit(caption="lost", alt_text="b")
    lost.image.save("lost.jpg", ContentFile(jpeg_bytes((800, 600))), save=False)
    lost.save()
    ImageCredit.objects.filter(pk=lost.pk).update(renditions={})
    (media_root / lost.image.name).unlink()

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("refresh_renditions", stdout=out, stderr=err)
    credit.refresh_from_db()
    assert credit.renditions["version"] == images.RENDITIONS_VERSION
    assert set(credit.renditions["crops"]) == {"16x9", "4x3", "1x1"}
    assert "1 photos refreshed, 1 failed." in out.getvalue()
    assert lost.image.name in err.getvalue()


def test_author_photo_is_served_from_renditions(client, make_article, make_author):
    """The author page's photo: WebP and JPEG renditions, never the upload; ProfilePage JSON-LD
    names the square crop."""
    author = make_author(name="Jo Lens")
    author.photo.save("jo.jpg", ContentFile(jpeg_bytes((900, 1200))), save=False)
    author.save()
    author.refresh_from_db()
    assert set(author.photo_renditions["crops"]) == {"16x9", "4x3", "1x1"}
    make_article(authors=[author])
    html = client.get(author.get_absolute_url()).content.decode()
    start = html.index('<header class="author-profile">')
    profile = html[start : html.index("</header>", start)]
    assert '<source type="image/webp" srcset="/media/renditions/' in profile
    assert 'sizes="6rem"' in profile and 'width="900" height="1200"' in profile
    assert author.photo.url not in html
    square = author.photo_renditions["crops"]["1x1"]["name"]
    assert f'"image":"http://testserver/media/{square}"' in html
