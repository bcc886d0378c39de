"""The moderation queue: editors approve, remove, mark as spam, trust or erase, in bulk.

Reporters have no comment permissions (comments/migrations/0002), so they see none of this.
"""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from articles.forms import DeskModelForm
from comments import moderation
from comments.models import Comment, Discussion, TrustedCommenter


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Comment.Status.choices

    def queryset(self, request, queryset):
        if self.value() not in Comment.Status.values:
            return queryset
        return queryset.with_status(self.value())


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    form = DeskModelForm
    list_display = ("excerpt", "in_reply_to", "user_name", "article_link", "submit_date", "status")
    list_display_links = ("excerpt",)
    list_filter = (StatusFilter, "submit_date")
    search_fields = ("comment", "user_name", "user_email", "ip_address", "article__headline")
    date_hierarchy = "submit_date"
    ordering = ("-submit_date",)
    list_per_page = 50
    list_select_related = ("parent", "article")
    actions = ("approve", "remove", "mark_spam", "trust_commenters", "erase_commenters")
    fields = (
        "article_link",
        "in_reply_to",
        "user_name",
        "user_email",
        "comment",
        "submit_date",
        "ip_address",
        "status",
        "is_public",
        "is_removed",
        "is_spam",
    )
    readonly_fields = [f for f in fields if f not in ("is_public", "is_removed", "is_spam")]

    def changelist_view(self, request, extra_context=None):
        pending = Comment.objects.pending().count()
        title = f"Comments ({pending} awaiting moderation)"
        return super().changelist_view(request, {**(extra_context or {}), "title": title})

    @admin.display(description="comment")
    def excerpt(self, comment):
        return Truncator(comment.comment).chars(120)

    @admin.display(description="in reply to")
    def in_reply_to(self, comment):
        if comment.parent is None:
            return "–"
        return f"{comment.parent.user_name}: {Truncator(comment.parent.comment).chars(80)}"

    @admin.display(description="article")
    def article_link(self, comment):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:articles_article_change", args=[comment.article_id]),
            comment.article.headline,
        )

    @admin.display(description="status")
    def status(self, comment):
        return comment.get_status_display()

    def has_add_permission(self, request):
        return False  # comments come from readers

    def has_delete_permission(self, request, obj=None):
        # Erasure (an action) is how an editor deletes; outright deletion is a superuser's.
        return request.user.is_superuser

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.can_moderate")

    def _report(self, request, count, done):
        self.message_user(request, f"{count} comment{'s' if count != 1 else ''} {done}.")

    @admin.action(permissions=["moderate"], description="Approve (publish) the selected comments")
    def approve(self, request, queryset):
        self._report(request, moderation.approve(queryset), "published")

    @admin.action(permissions=["moderate"], description="Remove the selected comments")
    def remove(self, request, queryset):
        self._report(request, moderation.remove(queryset), "removed")

    @admin.action(permissions=["moderate"], description="Mark the selected comments as spam")
    def mark_spam(self, request, queryset):
        count = moderation.mark_spam(queryset)
        self._report(request, count, "marked as spam and removed")

    @admin.action(
        permissions=["moderate"], description="Trust their authors (publish their next at once)"
    )
    def trust_commenters(self, request, queryset):
        count = moderation.trust_commenters(queryset)
        self.message_user(request, f"{count} commenter{'s' if count != 1 else ''} trusted.")

    @admin.action(
        permissions=["moderate"],
        description="Erase their authors' data (every comment and email address, on request)",
    )
    def erase_commenters(self, request, queryset):
        commenters, deleted = moderation.erase_commenters(queryset)
        self.message_user(
            request,
            f"Erased {commenters} commenter{'s' if commenters != 1 else ''}: "
            f"{deleted} comment{'s' if deleted != 1 else ''} and their email addresses deleted.",
            messages.SUCCESS,
        )


@admin.register(Discussion)
class DiscussionAdmin(admin.ModelAdmin):
    form = DeskModelForm
    list_display = ("article", "state")
    list_filter = ("state",)
    search_fields = ("article__headline",)
    autocomplete_fields = ("article",)
    list_select_related = ("article",)


@admin.register(TrustedCommenter)
class TrustedCommenterAdmin(admin.ModelAdmin):
    form = DeskModelForm
    list_display = ("email", "note", "added_at")
    search_fields = ("email", "note")
