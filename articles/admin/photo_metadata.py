"""What a chosen photo's own IPTC/EXIF metadata proposes, shown to the editor before any is used.

When an editor chooses a file on the image credit form, photo_metadata.js posts it to
``PhotoMetadataView``, which checks it as the form's own field does (type, bytes, pixels, whole
file) and answers with the caption, credit, creator, place and rights the file carries. The
script lists them under the file box, each with a "Use" button, and "Use all" for the fields
still empty; the editor's own text is replaced only by a "Replace" they press. Saving never reads
the metadata, so without the script the form stores exactly what was typed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.views import View

from articles.images import ImageMetadata
from articles.models import ImageCredit

METADATA_URL_NAME = "admin:articles_imagecredit_metadata"
# The credit's fields a photo file can fill in, in the order the form shows them.
PROPOSED_FIELDS = (
    "caption",
    "place",
    "credit_line",
    "creator",
    "copyright_notice",
    "licence_terms",
)


@dataclass(frozen=True)
class Proposal:
    """One value the file offers for one field of the credit."""

    field: str
    label: str
    value: str
    # True when the file's text was longer than the field takes and had to be cut.
    shortened: bool = False


def proposals_from(metadata: ImageMetadata) -> list[Proposal]:
    """The file's non-empty values, each cut to what its field stores."""
    proposals = []
    for name in PROPOSED_FIELDS:
        value = getattr(metadata, name)
        if not value:
            continue
        model_field = ImageCredit._meta.get_field(name)
        limit = model_field.max_length
        shortened = limit is not None and len(value) > limit
        if shortened:
            value = value[: limit - 1].rstrip() + "…"
        proposals.append(
            Proposal(
                field=name,
                label=str(capfirst(model_field.verbose_name)),
                value=value,
                shortened=shortened,
            )
        )
    return proposals


class PhotoMetadataWidget(AdminFileWidget):
    """The admin's file box, telling photo_metadata.js where to send a chosen file."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-metadata-url"] = reverse(METADATA_URL_NAME)
        return attrs

    @property
    def media(self):
        return forms.Media(
            css={"all": ["articles/admin/admin.css"]},
            js=["articles/admin/photo_metadata.js"],
        )


class PhotoMetadataView(View):
    """POST a photo as ``image``: its proposals as JSON, or the reason it is refused (400).

    Staff only, CSRF-checked (the admin site wraps it), for those who may add or change image
    credits. Nothing is stored: the file is read and forgotten.
    """

    http_method_names = ["post"]
    model_admin = None

    def post(self, request):
        admin = self.model_admin
        if not (admin.has_add_permission(request) or admin.has_change_permission(request)):
            raise PermissionDenied
        upload = request.FILES.get("image")
        if upload is None:
            return JsonResponse({"error": "Choose a photo file first."}, status=400)
        # The form's own field, so a file is refused here exactly as the save would refuse it.
        image_field = admin.form.base_fields["image"]
        try:
            checked = image_field.clean(upload)
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        metadata = checked.photo_info.metadata
        return JsonResponse(
            {
                "proposals": [asdict(proposal) for proposal in proposals_from(metadata)],
                "taken_on": date_format(metadata.taken_on) if metadata.taken_on else "",
            }
        )
