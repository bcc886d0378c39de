"""Photos: what an upload must be, what its own metadata says, and the sizes readers get.

- ``inspect_upload`` accepts only real JPEG, PNG and WebP files within a byte and a pixel limit.
  The pixel count is read from the header before anything is decoded, so a decompression bomb
  is refused without being loaded; the whole image is then decoded once so a truncated file is
  refused too.
- ``read_metadata`` reads caption, credit, creator, place, rights and the day taken from the
  file's IPTC (IIM) and EXIF blocks, as text safe to show; the admin offers it to the editor,
  who chooses what to use (articles/admin/photo_metadata.py).
- ``build_renditions`` makes several widths in WebP and in a fallback format (JPEG, or PNG for
  images with transparency) once, and the centred 16:9, 4:3 and 1:1 crops that search engines
  ask for, stores them under a name derived from the file's content hash, and returns the index
  a ``RenderedPhoto`` keeps (an image credit's or an author's), so pages can write ``srcset``
  and metadata can name the crops without touching storage or the database. Photos taller or wider
  than WebP allows get their renditions in the fallback format alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import warnings
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, IptcImagePlugin, UnidentifiedImageError

from articles import stored_files
from articles.text import strip_control_characters

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
RENDITION_WIDTHS = (160, 320, 640, 960, 1280, 1920)
THUMBNAIL_WIDTH = 160
# Google's article rich results want each of these ratios, at least 50,000 pixels; link
# previews take the 16:9 one.
CROPS = {"16x9": (16, 9), "4x3": (4, 3), "1x1": (1, 1)}
CROP_WIDTH = 1200
# Version 2 added the crops; `manage.py refresh_renditions` brings older photos up to date.
RENDITIONS_VERSION = 2
JPEG_QUALITY = 82
WEBP_QUALITY = 80
# JPEG stores each side in 16 bits: a photo longer than this on a side cannot be rendered.
MAX_SIDE = 65535
# The WebP format stores each side in 14 bits: an image past this on either side has no WebP.
WEBP_MAX_SIDE = 16383

# EXIF tags (TIFF 6.0 numbering) and IPTC IIM datasets in record 2 that carry the credit.
EXIF_IMAGE_DESCRIPTION = 0x010E
EXIF_ARTIST = 0x013B
EXIF_COPYRIGHT = 0x8298
EXIF_ORIENTATION = 0x0112
EXIF_DATE_TIME_ORIGINAL = 0x9003
EXIF_IFD = 0x8769
IPTC_SPECIAL_INSTRUCTIONS = (2, 40)
IPTC_DATE_CREATED = (2, 55)
IPTC_BYLINE = (2, 80)
IPTC_CITY = (2, 90)
IPTC_COUNTRY = (2, 101)
IPTC_CREDIT = (2, 110)
IPTC_SOURCE = (2, 115)
IPTC_COPYRIGHT = (2, 116)
IPTC_CAPTION = (2, 120)
# Longer than any field it may go to; the form cuts each value to its field's own limit.
METADATA_TEXT_LIMIT = 5000

logger = logging.getLogger(__name__)


def max_bytes() -> int:
    return settings.NEWSROOM_IMAGE_MAX_BYTES


def max_pixels() -> int:
    return settings.NEWSROOM_IMAGE_MAX_PIXELS


@dataclass(frozen=True)
class ImageMetadata:
    """What a photo file says about itself, as plain text; empty where it says nothing.

    Read for the editor to look at and choose from (articles/admin/photo_metadata.py): nothing
    here is ever stored without the editor's say.
    """

    caption: str = ""
    credit_line: str = ""
    creator: str = ""
    # The agency or owner that supplied the photo (IPTC "Source"), when the file names one.
    source: str = ""
    place: str = ""
    copyright_notice: str = ""
    licence_terms: str = ""
    taken_on: dt.date | None = None


@dataclass(frozen=True)
class ImageInfo:
    format: str
    extension: str
    width: int
    height: int
    metadata: ImageMetadata = field(default_factory=ImageMetadata)


def inspect_upload(upload) -> ImageInfo:
    """Validate an uploaded file as a photo and describe it, or raise ``ValidationError``.

    ``width`` and ``height`` are as the photo is shown: an EXIF orientation that turns it on its
    side swaps them.
    """
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size == 0:
        raise ValidationError("The file is empty.", code="empty")
    if size > max_bytes():
        raise ValidationError(
            "The file is %(size)s; the largest photo we accept is %(limit)s.",
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(max_bytes())},
        )
    upload.seek(0)
    not_a_photo = ValidationError(
        "This is not a JPEG, PNG or WebP image (whatever its name says). Upload the photo itself.",
        code="not_an_image",
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns at its own pixel limit and only refuses at twice that: refuse at once.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # It also warns about a corrupt EXIF block while reading what it can; the photo is
            # still a photo, and read_metadata takes what is readable.
            warnings.simplefilter("ignore", UserWarning)
            image = Image.open(upload)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            "The image has too many pixels to be processed safely.", code="too_many_pixels"
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise not_a_photo from error
    with image:
        if image.format not in ALLOWED_FORMATS:
            raise not_a_photo
        width, height = image.size
        if width < 1 or height < 1:
            raise not_a_photo
        if max(width, height) > MAX_SIDE:
            raise ValidationError(
                "The image is %(width)s × %(height)s pixels; no side may be longer than "
                "%(limit)s pixels. Export it in parts or at a smaller size.",
                code="too_long",
                params={"width": width, "height": height, "limit": MAX_SIDE},
            )
        if width * height > max_pixels():
            raise ValidationError(
                "The image is %(width)s × %(height)s pixels (%(megapixels).0f megapixels); the "
                "limit is %(limit).0f megapixels. Export a smaller version.",
                code="too_many_pixels",
                params={
                    "width": width,
                    "height": height,
                    "megapixels": width * height / 1e6,
                    "limit": max_pixels() / 1e6,
                },
            )
        metadata = read_metadata(image)
        orientation = _readable_exif(image).get(EXIF_ORIENTATION, 1)
        try:
            # Decode every pixel once: a truncated or corrupt file fails here, not on the page.
            image.load()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
            raise ValidationError(
                "The image file is damaged or incomplete; upload it again.", code="damaged"
            ) from error
        image_format = image.format
    upload.seek(0)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return ImageInfo(
        format=image_format,
        extension=ALLOWED_FORMATS[image_format],
        width=width,
        height=height,
        metadata=metadata,
    )


def decode_text(raw: bytes) -> str:
    """Metadata bytes as text: UTF-8 (what current software writes, Hangul and Cyrillic
    included), else the Windows Latin-1 that older agency software wrote, else plain Latin-1
    (which decodes any byte)."""
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def clean_metadata_text(value, *, multiline: bool = False) -> str:
    """Untrusted metadata as text fit for a form: decoded, no control characters, trimmed,
    one line unless ``multiline``, and never longer than ``METADATA_TEXT_LIMIT``."""
    if isinstance(value, (list, tuple)):
        # A repeated IPTC dataset (several bylines, say) reads as one line.
        value = b"; ".join(item for item in value if isinstance(item, bytes) and item.strip())
    if isinstance(value, str):
        # Pillow decodes EXIF's ASCII text as Latin-1, whatever bytes the camera wrote; phones
        # write UTF-8 there. Back to the bytes, then decoded as above.
        value = value.encode("latin-1", errors="replace")
    if not isinstance(value, bytes):
        return ""
    text = strip_control_characters(decode_text(value))
    text = "\n".join(line.strip() for line in text.splitlines()).strip()
    if not multiline:
        text = " ".join(text.split())
    return text[:METADATA_TEXT_LIMIT]


def _day(text: str, pattern: str) -> dt.date | None:
    """The date at the start of ``text`` ("20240501", "2024:05:01 09:30:00"), if it is one."""
    length = {"%Y%m%d": 8, "%Y:%m:%d": 10}[pattern]
    try:
        return dt.datetime.strptime(text[:length], pattern).date()
    except ValueError:
        return None


def _iptc_values(image: Image.Image) -> dict:
    try:
        return IptcImagePlugin.getiptcinfo(image) or {}
    except Exception as error:
        # Pillow's IPTC parser raises many kinds of error on a malformed block; the metadata
        # is an offer to the editor, so a block that cannot be read is one that says nothing.
        logger.info("Unreadable IPTC block: %r", error)
        return {}


def _readable_exif(image: Image.Image) -> dict:
    """The EXIF tags of the image and of its EXIF sub-directory, as far as they can be read."""
    with warnings.catch_warnings():
        # Pillow warns about corrupt EXIF and reads what it can: that is what we want.
        warnings.simplefilter("ignore")
        try:
            exif = image.getexif()
            return {**exif, **exif.get_ifd(EXIF_IFD)}
        except Exception as error:
            logger.info("Unreadable EXIF block: %r", error)
            return {}


def read_metadata(image: Image.Image) -> ImageMetadata:
    """Caption, credit, creator, place, rights and the day it was taken, from the file's IPTC,
    else from its EXIF.

    IPTC is what agencies fill in (and what Photo Mechanic and Lightroom write); EXIF carries
    the camera owner's description, artist and copyright. Malformed blocks give empty values,
    never an error.
    """
    iptc = _iptc_values(image)
    exif = _readable_exif(image)

    def iptc_text(key, multiline=False):
        return clean_metadata_text(iptc.get(key), multiline=multiline)

    def exif_text(tag, multiline=False):
        return clean_metadata_text(exif.get(tag), multiline=multiline)

    city, country = iptc_text(IPTC_CITY), iptc_text(IPTC_COUNTRY)
    taken_on = _day(iptc_text(IPTC_DATE_CREATED), "%Y%m%d") or _day(
        exif_text(EXIF_DATE_TIME_ORIGINAL), "%Y:%m:%d"
    )
    return ImageMetadata(
        caption=iptc_text(IPTC_CAPTION, True) or exif_text(EXIF_IMAGE_DESCRIPTION, True),
        credit_line=iptc_text(IPTC_CREDIT) or iptc_text(IPTC_SOURCE),
        creator=iptc_text(IPTC_BYLINE) or exif_text(EXIF_ARTIST),
        source=iptc_text(IPTC_SOURCE),
        place=f"{city} ({country})" if city and country else city or country,
        copyright_notice=iptc_text(IPTC_COPYRIGHT) or exif_text(EXIF_COPYRIGHT),
        licence_terms=iptc_text(IPTC_SPECIAL_INSTRUCTIONS, True),
        taken_on=taken_on,
    )


# Renditions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageRenditions:
    """What the templates need to write ``<picture>``, from ``ImageCredit.renditions``."""

    src: str
    width: int | None
    height: int | None
    srcset: str = ""
    webp_srcset: str = ""
    thumbnail_url: str = ""
    # {"16x9": {"url", "width", "height"}, ...}; empty for photos stored before the crops.
    crops: dict = field(default_factory=dict)

    @classmethod
    def from_photo(cls, owner) -> ImageRenditions | None:
        """From a model with a rendered photo (``RenderedPhoto``): an image credit or an author."""
        file_field, width_field, height_field, renditions_field = owner.photo_fields
        file = getattr(owner, file_field)
        if not file:
            return None
        width, height = getattr(owner, width_field), getattr(owner, height_field)
        stored = getattr(owner, renditions_field) or {}
        url = default_storage.url
        fallback = stored.get("fallback", [])
        webp = stored.get("webp", [])
        if not fallback:
            original = file.url
            return cls(src=original, width=width, height=height, thumbnail_url=original)
        # The fallback src is the rendition closest to the article column's 2x width.
        src = min(fallback, key=lambda r: abs(r["w"] - 1280))
        return cls(
            src=url(src["name"]),
            width=width,
            height=height,
            srcset=", ".join(f"{url(r['name'])} {r['w']}w" for r in fallback),
            webp_srcset=", ".join(f"{url(r['name'])} {r['w']}w" for r in webp),
            thumbnail_url=url((webp or fallback)[0]["name"]),
            # In CROPS' order (16:9 first): PostgreSQL's jsonb does not keep the stored order.
            crops={
                ratio: {"url": url(crop["name"]), "width": crop["w"], "height": crop["h"]}
                for ratio in CROPS
                if (crop := stored.get("crops", {}).get(ratio))
            },
        )


def _content_hash(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def rendition_widths(width: int) -> list[int]:
    """The standard widths below the photo's own, plus its own width when it is in range."""
    widths = [w for w in RENDITION_WIDTHS if w < width]
    if width <= RENDITION_WIDTHS[-1]:
        widths.append(width)
    return widths or [width]


def crop_box(width: int, height: int, ratio: tuple[int, int]) -> tuple[int, int, int, int]:
    """The largest centred box of ``ratio`` inside a ``width`` × ``height`` image."""
    across, down = ratio
    box_width = min(width, height * across // down)
    box_height = min(height, box_width * down // across)
    left, top = (width - box_width) // 2, (height - box_height) // 2
    return left, top, left + box_width, top + box_height


def _encode(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "WEBP":
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    elif image_format == "JPEG":
        image.convert("RGB").save(
            buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True
        )
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def build_renditions(file, *, storage=default_storage) -> dict:
    """Make (or find, when already stored) every rendition of ``file``; return their index.

    Names depend only on the file's content, so re-saving a credit, or crediting the same photo
    twice, reuses the stored files. Renditions carry no metadata (no GPS, no camera serials).
    """
    digest = _content_hash(file)
    prefix = f"renditions/{digest[:2]}/{digest[:24]}"
    with Image.open(file) as opened:
        opened.load()
        image = ImageOps.exif_transpose(opened)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (
            image.mode == "P" and "transparency" in image.info
        )
        image = image.convert("RGBA" if has_alpha else "RGB")
    fallback_format, fallback_ext = ("PNG", "png") if has_alpha else ("JPEG", "jpg")
    index: dict = {"version": RENDITIONS_VERSION, "source": digest, "webp": [], "fallback": []}
    widths = rendition_widths(image.width)
    sizes = [(width, max(1, round(image.height * width / image.width))) for width in widths]
    kinds = [("fallback", fallback_format, fallback_ext)]
    # A very tall infographic keeps every width in the fallback format rather than a WebP set
    # missing its largest sizes (the browser would pick a WebP too small for the column).
    if max(max(size) for size in sizes) <= WEBP_MAX_SIDE:
        kinds.insert(0, ("webp", "WEBP", "webp"))
    for width, height in sizes:
        resized = None
        for key, image_format, ext in kinds:
            name = f"{prefix}/{width}w.{ext}"
            if not storage.exists(name):
                if resized is None:
                    resized = (
                        image
                        if width == image.width
                        else image.resize((width, height), Image.Resampling.LANCZOS)
                    )
                name = storage.save(name, ContentFile(_encode(resized, image_format)))
                stored_files.written(storage, name)
            index[key].append({"w": width, "h": height, "name": name})
    index["crops"] = {}
    for ratio_name, ratio in CROPS.items():
        box = crop_box(image.width, image.height, ratio)
        crop_width = min(CROP_WIDTH, box[2] - box[0])
        crop_height = max(1, round(crop_width * ratio[1] / ratio[0]))
        name = f"{prefix}/crop-{ratio_name}-{crop_width}w.{fallback_ext}"
        if not storage.exists(name):
            cropped = image.resize((crop_width, crop_height), Image.Resampling.LANCZOS, box=box)
            name = storage.save(name, ContentFile(_encode(cropped, fallback_format)))
            stored_files.written(storage, name)
        index["crops"][ratio_name] = {"w": crop_width, "h": crop_height, "name": name}
    file.seek(0)
    return index


def refresh_image_data(owner) -> None:
    """Measure the photo of ``owner`` (a ``RenderedPhoto``) and build its renditions, storing
    both on its row."""
    file_field, width_field, height_field, renditions_field = owner.photo_fields
    file = getattr(owner, file_field)
    values = {width_field: None, height_field: None, renditions_field: {}}
    if file:
        with file.open("rb") as opened:
            try:
                info = inspect_upload(opened)
            except ValidationError as error:
                # Only files that bypassed the admin form get here; keep them off the page's
                # srcset rather than fail the save.
                logger.warning("Photo %s of %r: %s", file.name, owner, error)
            else:
                values = {
                    width_field: info.width,
                    height_field: info.height,
                    renditions_field: build_renditions(opened),
                }
    for name, value in values.items():
        setattr(owner, name, value)
    type(owner)._default_manager.filter(pk=owner.pk).update(**values)
