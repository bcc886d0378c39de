"""The corrections log: every correction the site has printed. Added from the article."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from articles.forms import DeskModelForm


class CorrectionAdmin(admin.ModelAdmin):
    form = DeskModelForm
    list_display = ("created_at", "kind", "article_link", "excerpt", "created_by")
    list_filter = ("kind", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("article", "created_by")
    search_fields = ("text", "article__headline")
    date_hierarchy = "created_at"
    readonly_fields = ("article", "created_at", "created_by")
    fields = ("article", "kind", "text", "created_at", "created_by")

    @admin.display(description="Article", ordering="article__headline")
    def article_link(self, correction):
        url = reverse("admin:articles_article_change", args=[quote(correction.article_id)])
        return format_html('<a href="{}">{}</a>', url, correction.article.headline)

    @admin.display(description="Text")
    def excerpt(self, correction):
        return Truncator(correction.text).chars(100)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
