"""Sections: the site's navigation, in order."""

from __future__ import annotations

from django.contrib import admin

from articles.admin.display import with_count
from articles.forms import DeskModelForm


class SectionAdmin(admin.ModelAdmin):
    form = DeskModelForm
    list_display = ("name", "slug", "position", "article_count")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)

    def get_queryset(self, request):
        return with_count(super().get_queryset(request), "article_count", "articles")

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, section):
        return section.article_count
