"""The photo picker behind the article's lead and social image boxes.

Each choice shows the photo's thumbnail, its caption and its credit, so an editor picks the
picture rather than a name like "Image credit 5". The search is ImageCreditAdmin's own.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.urls import reverse
from django.utils.text import Truncator

from articles.models import ImageCredit

PICKER_URL_NAME = "admin:articles_imagecredit_picker"


def describe_photo(credit: ImageCredit) -> str:
    """ "Caption — credit", saying plainly which of the two is missing."""
    caption = Truncator(" ".join(credit.caption.split())).chars(70) if credit.caption else ""
    credit_line = credit.credit_line or credit.creator
    return " — ".join([caption or "No caption", credit_line or "no credit"]) + (
        "" if credit.image else " (no photo file)"
    )


def thumbnail_url(credit: ImageCredit) -> str:
    picture = credit.picture
    return picture.thumbnail_url if picture is not None else ""


class PhotoChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # The widget labels the chosen photo from the one query it makes; its thumbnail is
        # noted here on the way, so drawing it costs no second query.
        self.thumbnails = {**getattr(self, "thumbnails", {}), str(obj.pk): thumbnail_url(obj)}
        return describe_photo(obj)


class PhotoPickerWidget(AutocompleteSelect):
    """The admin's autocomplete box, drawn by photo_picker.js with each photo's thumbnail."""

    def get_url(self):
        return reverse(PICKER_URL_NAME)

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        # Started by photo_picker.js rather than the admin's autocomplete.js.
        attrs["class"] = attrs["class"].replace("admin-autocomplete", "nr-photo-autocomplete")
        return attrs

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        thumbnails = getattr(self.choices.field, "thumbnails", {})
        if str(value) in thumbnails:
            option["attrs"]["data-thumbnail"] = thumbnails[str(value)]
        return option

    @property
    def media(self):
        # Listed with what it needs, so merging the form's media keeps it after them.
        return super().media + forms.Media(
            js=(
                "admin/js/vendor/jquery/jquery.min.js",
                "admin/js/vendor/select2/select2.full.min.js",
                "admin/js/jquery.init.js",
                "articles/admin/photo_picker.js",
            )
        )


class PhotoPickerView(AutocompleteJsonView):
    def serialize_result(self, obj, to_field_name):
        return {
            "id": str(getattr(obj, to_field_name)),
            "text": describe_photo(obj),
            "thumbnail": thumbnail_url(obj),
        }
