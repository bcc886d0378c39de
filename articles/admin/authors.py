"""Authors: the bylines' people, and the staff account each one writes with."""

from __future__ import annotations

from django.contrib import admin

from articles.admin.display import thumbnail_html, with_count
from articles.admin.uploads import RemoveFilesIfSaveFailsMixin
from articles.forms import AuthorAdminForm


class AuthorAdmin(RemoveFilesIfSaveFailsMixin, admin.ModelAdmin):
    form = AuthorAdminForm
    list_display = ("name", "email", "user", "article_count")
    list_select_related = ("user",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "email")
    autocomplete_fields = ("user",)
    readonly_fields = ("portrait",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "email", "bio", "photo", "portrait")}),
        (
            "Staff account",
            {
                "fields": ("user",),
                "description": "Link the reporter's login here: it is how “My articles” "
                "and a reporter's right to edit their own drafts work.",
            },
        ),
    )

    def get_queryset(self, request):
        return with_count(super().get_queryset(request), "article_count", "articles")

    @admin.display(description="As readers see it")
    def portrait(self, author):
        return thumbnail_html(author, size=96) if author.photo else "No photo yet."

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, author):
        return author.article_count
