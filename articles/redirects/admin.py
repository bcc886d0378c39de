"""Redirects, listed and editable: the ones the site recorded and the ones added by hand."""

from django.contrib import admin
from django.utils.html import format_html

from articles.forms import DeskModelForm
from articles.redirects.models import Redirect


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    form = DeskModelForm
    list_display = ("old_path", "answer", "kind", "created_at", "created_by")
    list_select_related = ("created_by",)
    list_filter = ("kind", "created_at")
    search_fields = ("old_path", "new_path")
    search_help_text = "Searches the old and the new addresses."
    fields = ("old_path", "new_path", "kind")
    readonly_fields = ("kind",)
    date_hierarchy = "created_at"

    @admin.display(description="Answers", ordering="new_path")
    def answer(self, redirect):
        if redirect.is_gone:
            return "410 Gone"
        return format_html('301 → <a href="{0}">{0}</a>', redirect.new_path)

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
