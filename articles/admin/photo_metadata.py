"""What a chosen photo's own IPTC/EXIF metadata proposes, shown to the editor before any is used.

When an editor chooses a file on the image credit form, photo_metadata.js posts it to
``PhotoMetadataView``, which checks it as the form's own field does (type, bytes, pixels, whole
file) and answers with the caption, credit, creator, place and rights the file carries, and the
listed image sources it names. The script lists them under the file box, each with a "Use"
button, and "Use all" for the fields still empty; the editor's own text is replaced only by a
"Replace" they press. Saving never reads
the metadata, so without the script the form stores exactly what was typed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.db.models.functions import Upper
from django.http import JsonResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.views import View

from articles.images import ImageMetadata
from articles.importers.parser import parse_credit_line
from articles.models import ImageCredit, ImageSource

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
    # As shown to the editor; for text fields, also what "Use" puts in the field.
    value: str
    # What the editor should know about it, e.g. that it was cut to fit.
    note: str = ""
    # For the sources box: the image sources "Use" adds to those chosen.
    choices: list[int] | None = None


def proposals_from(metadata: ImageMetadata) -> list[Proposal]:
    """The file's non-empty values, each cut to what its field stores, then the image sources
    it names."""
    proposals = []
    for name in PROPOSED_FIELDS:
        value = getattr(metadata, name)
        if not value:
            continue
        model_field = ImageCredit._meta.get_field(name)
        limit = model_field.max_length
        note = ""
        if limit is not None and len(value) > limit:
            value = value[: limit - 1].rstrip() + "…"
            note = f"Cut to the {limit} characters this field takes."
        label = str(capfirst(model_field.verbose_name))
        proposals.append(Proposal(field=name, label=label, value=value, note=note))
    sources = sources_proposal(metadata)
    return [*proposals, sources] if sources else proposals


def named_sources(metadata: ImageMetadata) -> list[str]:
    """The agencies and photographers the file's credit, source and creator name, in order:
    "Reuters-Yonhap" names two, as in the importer's credit lines."""
    names = []
    for line in (metadata.credit_line, metadata.source):
        # A line that is not a list of names (a sentence, say) names no source.
        names += [credit.name for credit in parse_credit_line(line) or ()]
    if metadata.creator:
        names.append(metadata.creator)
    return list(dict.fromkeys(names))


def sources_proposal(metadata: ImageMetadata) -> Proposal | None:
    """The image sources already listed that the file names (matched whatever the letter
    case), and a note naming those that are not listed yet."""
    names = named_sources(metadata)
    if not names:
        return None
    wanted = {name.upper(): name for name in names}
    # The exact names too: SQLite's UPPER() leaves letters outside ASCII as they are.
    found = list(
        ImageSource.objects.annotate(upper_name=Upper("name"))
        .filter(Q(upper_name__in=wanted) | Q(name__in=names))
        .order_by("name")
    )
    listed = {source.name.upper() for source in found}
    unlisted = [name for upper, name in wanted.items() if upper not in listed]
    note = ""
    if unlisted:
        note = (
            f"Not yet an image source: {', '.join(unlisted)}. "
            "Add one with the + beside Sources if the desk credits it."
        )
    return Proposal(
        field="sources",
        label=str(capfirst(ImageCredit._meta.get_field("sources").verbose_name)),
        value=", ".join(source.name for source in found),
        note=note,
        choices=[source.pk for source in found],
    )


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
