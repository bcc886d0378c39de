"""Photos: image credits (the photo, its caption, credit and rights) and who supplied them."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.urls import path, reverse
from django.utils.html import format_html

from articles import workflow
from articles.admin.display import thumbnail_html, with_count
from articles.admin.filters import LicenceFilter
from articles.admin.photo_metadata import PhotoMetadataView, PhotoMetadataWidget
from articles.admin.photo_picker import PhotoPickerView
from articles.admin.uploads import RemoveFilesIfSaveFailsMixin
from articles.forms import DeskModelForm, ImageCreditAdminForm


class ImageSourceAdmin(admin.ModelAdmin):
    form = DeskModelForm
    list_display = ("name", "kind", "credit_count")
    list_filter = ("kind",)
    search_fields = ("name",)

    def get_queryset(self, request):
        return with_count(super().get_queryset(request), "credit_count", "credits")

    @admin.display(description="Images credited", ordering="credit_count")
    def credit_count(self, source):
        url = reverse("admin:articles_imagecredit_changelist") + f"?sources__id__exact={source.pk}"
        return format_html('<a href="{}">{}</a>', url, source.credit_count)


class ImageCreditAdmin(RemoveFilesIfSaveFailsMixin, admin.ModelAdmin):
    form = ImageCreditAdminForm
    list_display = (
        "thumbnail",
        "__str__",
        "credit_line",
        "creator",
        "dimensions",
        "licence_ends_on",
        "used_on",
    )
    list_display_links = ("thumbnail", "__str__")
    list_filter = (LicenceFilter, "sources")
    search_fields = ("caption", "place", "credit_line", "creator", "sources__name", "alt_text")
    filter_horizontal = ("sources",)
    readonly_fields = ("preview", "dimensions")
    fieldsets = (
        (None, {"fields": ("image", "preview", "dimensions", "alt_text")}),
        (
            "Caption and credit",
            {"fields": ("caption", "place", "credit_line", "creator", "sources")},
        ),
        ("Rights", {"fields": ("copyright_notice", "licence_terms", "licence_ends_on")}),
    )

    def get_queryset(self, request):
        return with_count(super().get_queryset(request), "article_count", "lead_of")

    def get_urls(self):
        picker = PhotoPickerView.as_view(admin_site=self.admin_site)
        metadata = PhotoMetadataView.as_view(model_admin=self)
        return [
            path("picker/", self.admin_site.admin_view(picker), name="articles_imagecredit_picker"),
            path(
                "metadata/",
                self.admin_site.admin_view(metadata),
                name="articles_imagecredit_metadata",
            ),
            *super().get_urls(),
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "image":
            kwargs["widget"] = PhotoMetadataWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and workflow.can_edit_photo(
            request.user, obj
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        credit = self.get_object(request, unquote(object_id))
        if (
            request.method == "GET"
            and credit is not None
            and not self.has_change_permission(request, credit)
            and workflow.is_shown_on_an_article_out(credit)
        ):
            self.message_user(
                request,
                "This photo is shown on a live or scheduled article, so only an editor can "
                "change it. Upload a new photo and ask an editor to use it instead.",
                messages.WARNING,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="Image")
    def thumbnail(self, credit):
        return thumbnail_html(credit)

    @admin.display(description="Preview")
    def preview(self, credit):
        if not credit.pk or not credit.image:
            return "Upload a photo and save to see it here."
        return thumbnail_html(credit, size=320)

    @admin.display(description="Size in pixels")
    def dimensions(self, credit):
        return f"{credit.width} × {credit.height}" if credit.width else "—"

    @admin.display(description="Lead image of", ordering="article_count")
    def used_on(self, credit):
        count = getattr(credit, "article_count", None)
        if not count:
            return "—"
        url = reverse("admin:articles_article_changelist") + f"?lead_image__id__exact={credit.pk}"
        return format_html('<a href="{}">{} article{}</a>', url, count, "s" if count > 1 else "")
