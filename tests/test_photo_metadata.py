"""A photo's own IPTC/EXIF metadata: read safely in any script, offered to the editor before the
save, and never stored unless the editor chose it."""

import datetime as dt
import io
import struct

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from PIL import Image

from articles import images
from articles.admin.photo_metadata import proposals_from
from articles.images import ImageMetadata
from articles.models import ImageCredit, ImageSource
from tests.staff import browser_post_data, staff_user
from tests.test_images import (
    iptc_dataset,
    jpeg_bytes,
    png_bytes,
    upload,
    with_iptc,
    with_photoshop_iptc,
)

METADATA_URL = "/admin/articles/imagecredit/metadata/"
ADD_URL = "/admin/articles/imagecredit/add/"

AGENCY_PHOTO = {
    (2, 120): "서울 광화문에서 열린 집회.\rМитинг в центре Сеула.",
    (2, 110): "Yonhap",
    (2, 80): "Анна Иванова",
    (2, 90): "서울",
    (2, 101): "대한민국",
    (2, 116): "© 2024 Yonhap",
    (2, 40): "No sales. No archives.",
    (2, 55): "20240501",
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def metadata_of(content: bytes) -> ImageMetadata:
    return images.inspect_upload(upload("photo.jpg", content)).metadata


def exif_photo(tags: dict, exif_ifd: dict | None = None) -> bytes:
    exif = Image.Exif()
    for tag, value in tags.items():
        exif[tag] = value
    for tag, value in (exif_ifd or {}).items():
        exif.get_ifd(images.EXIF_IFD)[tag] = value
    return jpeg_bytes((64, 48), exif=exif.tobytes())


# Reading the file -----------------------------------------------------------------------------


def test_hangul_and_cyrillic_iptc_is_read_as_written():
    """An agency's UTF-8 IPTC gives every field, line breaks kept in the caption alone."""
    metadata = metadata_of(with_iptc(jpeg_bytes((64, 48)), AGENCY_PHOTO))
    assert metadata == ImageMetadata(
        caption="서울 광화문에서 열린 집회.\nМитинг в центре Сеула.",
        credit_line="Yonhap",
        creator="Анна Иванова",
        place="서울 (대한민국)",
        copyright_notice="© 2024 Yonhap",
        licence_terms="No sales. No archives.",
        taken_on=dt.date(2024, 5, 1),
    )


def test_iptc_without_a_character_set_is_utf8_else_latin1():
    """Unmarked IPTC is read as UTF-8 when it is that, else as Windows Latin-1."""
    content = with_iptc(
        jpeg_bytes((64, 48)),
        {
            (2, 120): "Кремль весной".encode(),
            (2, 90): b"Z\xfcrich",
            (2, 116): b"\xa9 2024 \x93Agence\x94",
        },
        utf8=False,
    )
    metadata = metadata_of(content)
    assert metadata.caption == "Кремль весной"
    assert metadata.place == "Zürich"
    assert metadata.copyright_notice == "© 2024 “Agence”"


def test_exif_text_in_utf8_or_latin1_is_decoded():
    """Phones write UTF-8 in EXIF's ASCII fields, older cameras Latin-1: both read right, and
    the day taken comes from the EXIF sub-directory."""
    content = exif_photo(
        {
            images.EXIF_IMAGE_DESCRIPTION: "부산항의 새벽".encode(),
            images.EXIF_ARTIST: "Zoë Café".encode("latin-1"),
            images.EXIF_COPYRIGHT: "© Олег".encode(),
        },
        {images.EXIF_DATE_TIME_ORIGINAL: "2023:11:30 07:15:00"},
    )
    metadata = metadata_of(content)
    assert metadata.caption == "부산항의 새벽"
    assert metadata.creator == "Zoë Café"
    assert metadata.copyright_notice == "© Олег"
    assert metadata.taken_on == dt.date(2023, 11, 30)


def test_control_characters_are_removed_and_one_line_fields_kept_on_one_line():
    """Control characters never reach the form; a credit split over lines is joined."""
    content = with_iptc(
        jpeg_bytes((64, 48)),
        {
            (2, 120): "Line one\x07\r\n  Line two\x1b",
            (2, 110): "Reuters\x00\r\nYonhap",
            (2, 80): "  \x08  ",
        },
    )
    metadata = metadata_of(content)
    assert metadata.caption == "Line one\nLine two"
    assert metadata.credit_line == "Reuters Yonhap"
    assert metadata.creator == ""


def test_an_impossible_date_is_no_date():
    """ "00000000" or a camera's "0000:00:00" is not a day the photo was taken."""
    assert metadata_of(with_iptc(jpeg_bytes((64, 48)), {(2, 55): "00000000"})).taken_on is None
    content = exif_photo({}, {images.EXIF_DATE_TIME_ORIGINAL: "0000:00:00 00:00:00"})
    assert metadata_of(content).taken_on is None


def _raw_segment(jpeg: bytes, marker: bytes, payload: bytes) -> bytes:
    return jpeg[:2] + marker + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


BROKEN = {
    "IPTC dataset longer than its block": with_photoshop_iptc(
        jpeg_bytes((64, 48)),
        iptc_dataset(2, 110, "AP") + struct.pack(">BBBH", 0x1C, 2, 120, 500) + b"cut",
    ),
    "IPTC block that is not IPTC": with_photoshop_iptc(jpeg_bytes((64, 48)), b"\x00\x01" * 40),
    "IPTC extended length": with_photoshop_iptc(
        jpeg_bytes((64, 48)), struct.pack(">BBBH", 0x1C, 2, 120, 0x8004) + b"\xff" * 4
    ),
    "Photoshop block cut short": _raw_segment(
        jpeg_bytes((64, 48)), b"\xff\xed", b"Photoshop 3.0\x008BIM\x04\x04\x00"
    ),
    "EXIF pointing past its end": _raw_segment(
        jpeg_bytes((64, 48)),
        b"\xff\xe1",
        b"Exif\0\0MM\0*\0\0\0\x08\0\x02\x01\x0e\0\x02\xff\xff\xff\xff\0\0\0\x10"
        b"\x87\x69\0\x04\0\0\0\x01\xff\xff\xff\x00",
    ),
    "EXIF that is not TIFF": _raw_segment(jpeg_bytes((64, 48)), b"\xff\xe1", b"Exif\0\0junk"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_broken_metadata_reads_as_what_it_still_says(name):
    """A malformed IPTC or EXIF block never fails the upload; the photo is still accepted."""
    info = images.inspect_upload(upload("broken.jpg", BROKEN[name]))
    assert (info.width, info.height) == (64, 48)
    assert info.metadata.creator == ""


def test_a_cut_iptc_block_still_gives_what_came_before_the_cut():
    """Datasets read before the damage are kept."""
    assert metadata_of(BROKEN["IPTC dataset longer than its block"]).credit_line == "AP"


def test_proposals_are_cut_to_what_each_field_stores():
    """A credit longer than the field's 200 characters is offered cut, and says so; empty
    values are not offered at all."""
    proposals = proposals_from(
        ImageMetadata(caption="Ж" * 3000, credit_line="가" * 250, place="Kazan (Russia)")
    )
    by_field = {proposal.field: proposal for proposal in proposals}
    assert list(by_field) == ["caption", "place", "credit_line"]
    assert by_field["caption"].value == "Ж" * 3000
    assert len(by_field["credit_line"].value) == 200
    assert by_field["credit_line"].value.endswith("…")
    assert by_field["credit_line"].note == "Cut to the 200 characters this field takes."
    assert not by_field["caption"].note
    assert by_field["place"].label == "Place"


def test_sources_are_the_listed_ones_the_credit_names(db):
    """ "Reuters-Yonhap" names two agencies, matched whatever the letter case; one that is not
    listed yet is named in a note; a sentence in the credit names no source."""
    reuters = ImageSource.objects.create(name="REUTERS")
    photographer = ImageSource.objects.create(name="Анна Иванова", kind="photographer")
    metadata = ImageMetadata(credit_line="Reuters-Yonhap", creator="Анна Иванова")
    proposal = proposals_from(metadata)[-1]
    assert proposal.field == "sources"
    assert proposal.value == "REUTERS, Анна Иванова"
    assert proposal.choices == [reuters.pk, photographer.pk]
    assert proposal.note.startswith("Not yet an image source: Yonhap.")
    sentence = ImageMetadata(credit_line="Taken from the ferry by a passenger.")
    assert [p.field for p in proposals_from(sentence)] == ["credit_line"]


# The admin's metadata endpoint ----------------------------------------------------------------


@pytest.fixture
def photo_editor(db):
    return staff_user("Editor")


def csrf_client(user) -> tuple[Client, str]:
    """A client that checks CSRF as a browser session does, and the token from the form."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.get(ADD_URL)
    return client, response.context["csrf_token"]


def test_endpoint_offers_the_files_values_and_stores_nothing(photo_editor, media_root):
    """A staff member's CSRF-checked POST gets each proposal as JSON; no credit, no file kept."""
    yonhap = ImageSource.objects.create(name="Yonhap")
    client, token = csrf_client(photo_editor)
    content = with_iptc(jpeg_bytes((640, 480)), AGENCY_PHOTO)
    response = client.post(
        METADATA_URL, {"image": upload("집회.jpg", content), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200
    data = response.json()
    proposals = {proposal["field"]: proposal["value"] for proposal in data["proposals"]}
    assert proposals == {
        "caption": "서울 광화문에서 열린 집회.\nМитинг в центре Сеула.",
        "place": "서울 (대한민국)",
        "credit_line": "Yonhap",
        "creator": "Анна Иванова",
        "copyright_notice": "© 2024 Yonhap",
        "licence_terms": "No sales. No archives.",
        "sources": "Yonhap",
    }
    assert data["proposals"][-1]["choices"] == [yonhap.pk]
    assert data["taken_on"] == "May 1, 2024"
    assert not ImageCredit.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_endpoint_refuses_without_the_csrf_token_or_by_get(photo_editor):
    """A cross-site POST is refused, and so is a GET."""
    client, _ = csrf_client(photo_editor)
    content = with_iptc(jpeg_bytes((64, 48)), AGENCY_PHOTO)
    assert client.post(METADATA_URL, {"image": upload("a.jpg", content)}).status_code == 403
    assert client.get(METADATA_URL).status_code == 405


def test_endpoint_is_for_staff_who_may_edit_photos(client, db):
    """Anonymous visitors go to the login page; staff without photo rights get 403."""
    content = jpeg_bytes((64, 48))
    response = client.post(METADATA_URL, {"image": upload("a.jpg", content)})
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(User.objects.create_user("clerk", password="x-long-password", is_staff=True))
    assert client.post(METADATA_URL, {"image": upload("a.jpg", content)}).status_code == 403


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<?php echo 'hi'; ?>" * 10, "not a JPEG, PNG or WebP image"),
        (jpeg_bytes((800, 600))[:3000], "damaged or incomplete"),
        (b"", "empty"),
        (jpeg_bytes((64, 48)) + b"\0" * 20_000, "the largest photo we accept is"),
        (png_bytes((2000, 1000), mode="L"), "megapixels"),
    ],
    ids=["not an image", "truncated", "empty", "too many bytes", "too many pixels"],
)
def test_endpoint_refuses_what_the_form_refuses(client, photo_editor, settings, content, message):
    """The same limits as the save: type, bytes, pixels and whole files, with the reason."""
    settings.NEWSROOM_IMAGE_MAX_BYTES = 15_000
    settings.NEWSROOM_IMAGE_MAX_PIXELS = 1_000_000
    client.force_login(photo_editor)
    response = client.post(METADATA_URL, {"image": upload("photo.jpg", content)})
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_endpoint_asks_for_a_file(client, photo_editor):
    """A POST with no file says what is missing."""
    client.force_login(photo_editor)
    response = client.post(METADATA_URL, {})
    assert response.status_code == 400
    assert response.json() == {"error": "Choose a photo file first."}


# The form as the browser posts it -------------------------------------------------------------


def test_form_carries_the_metadata_script_on_the_file_box(client, photo_editor):
    """The file box names the endpoint and the page loads the site's own script."""
    client.force_login(photo_editor)
    html = client.get(ADD_URL + "?_popup=1").content.decode()
    assert f'data-metadata-url="{METADATA_URL}"' in html
    assert "articles/admin/photo_metadata.js" in html


@pytest.mark.parametrize("popup", [False, True], ids=["page", "pop-up"])
def test_saving_without_choosing_applies_nothing(client, photo_editor, popup):
    """Posted as the browser posts the untouched form (the pop-up from the article form too),
    a photo with metadata is stored with the fields as typed: empty stays empty."""
    client.force_login(photo_editor)
    url = ADD_URL + ("?_popup=1" if popup else "")
    html = client.get(url).content.decode()
    content = with_iptc(jpeg_bytes((640, 480)), AGENCY_PHOTO)
    data = browser_post_data(
        html,
        "imagecredit_form",
        image=upload("rally.jpg", content),
        alt_text="Protesters fill the square.",
        credit_line="Our own photographer",
    )
    if popup:
        assert data["_popup"] == "1"
    response = client.post(url, data)
    assert response.status_code in (200, 302)
    credit = ImageCredit.objects.get()
    if popup:
        assert "popup_response" in response.content.decode()
    assert (credit.caption, credit.place, credit.creator) == ("", "", "")
    assert (credit.copyright_notice, credit.licence_terms) == ("", "")
    assert credit.credit_line == "Our own photographer"
    assert (credit.width, credit.height) == (640, 480)


def test_accepted_proposals_are_saved_and_typed_values_kept(client, photo_editor):
    """What the "Use all" button does: the file's values go into the empty fields, the credit
    the editor typed stays, and the save stores exactly that."""
    yonhap = ImageSource.objects.create(name="Yonhap")
    client.force_login(photo_editor)
    content = with_iptc(jpeg_bytes((640, 480)), AGENCY_PHOTO)
    proposals = client.post(METADATA_URL, {"image": upload("rally.jpg", content)}).json()
    typed = {"alt_text": "Protesters fill the square.", "credit_line": "Our own photographer"}
    used_all = {
        proposal["field"]: proposal["value"]
        for proposal in proposals["proposals"]
        if not typed.get(proposal["field"]) and proposal["choices"] is None
    }
    used_all["sources"] = [str(pk) for pk in proposals["proposals"][-1]["choices"]]
    html = client.get(ADD_URL).content.decode()
    data = browser_post_data(
        html, "imagecredit_form", image=upload("rally.jpg", content), **typed, **used_all
    )
    assert client.post(ADD_URL, data).status_code == 302
    credit = ImageCredit.objects.get()
    assert credit.caption == "서울 광화문에서 열린 집회.\nМитинг в центре Сеула."
    assert (credit.place, credit.creator) == ("서울 (대한민국)", "Анна Иванова")
    assert credit.licence_terms == "No sales. No archives."
    assert credit.credit_line == "Our own photographer"
    assert list(credit.sources.all()) == [yonhap]


def test_replacing_the_photo_keeps_the_credit_as_typed(client, photo_editor, make_credit):
    """A new file on an existing credit changes the photo alone, whatever the file says."""
    credit = make_credit(caption="The desk's caption", credit_line="", creator="")
    client.force_login(photo_editor)
    url = reverse("admin:articles_imagecredit_change", args=[credit.pk])
    html = client.get(url).content.decode()
    content = with_iptc(jpeg_bytes((640, 480)), AGENCY_PHOTO)
    data = browser_post_data(html, "imagecredit_form", image=upload("new.jpg", content))
    assert client.post(url, data).status_code == 302
    credit.refresh_from_db()
    assert (credit.caption, credit.credit_line, credit.creator) == ("The desk's caption", "", "")
    assert credit.width == 640


def test_metadata_endpoint_query_budget(client, photo_editor, django_assert_max_num_queries):
    """Reading a file's metadata touches the database for the session, the permissions and one
    look-up of the image sources it names."""
    client.force_login(photo_editor)
    content = with_iptc(jpeg_bytes((64, 48)), AGENCY_PHOTO)
    with django_assert_max_num_queries(5):
        assert client.post(METADATA_URL, {"image": upload("a.jpg", content)}).status_code == 200


def test_png_without_metadata_offers_nothing(client, photo_editor):
    """A file with nothing written in it gets an empty list, not an error."""
    client.force_login(photo_editor)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48)).save(buffer, "PNG")
    response = client.post(METADATA_URL, {"image": upload("a.png", buffer.getvalue(), "image/png")})
    assert response.json() == {"proposals": [], "taken_on": ""}
