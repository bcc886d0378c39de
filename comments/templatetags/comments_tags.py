from django import template

from comments.forms import CommentForm
from comments.models import Comment
from comments.thread import display_settings, thread_for

register = template.Library()


@register.simple_tag
def comment_thread(article):
    """The article's published comments and whether it takes new ones (comments.thread)."""
    return thread_for(article)


@register.inclusion_tag("comments/_comments.html")
def article_comments(article):
    """The comment section under an article: the count, the comments, and the form.

    The page is cached for every reader, so the form carries no reader's token: comments.js
    fetches one (see comments/views.py).
    """
    thread = thread_for(article)
    return {
        "article": article,
        "thread": thread,
        "form": CommentForm(article) if thread.is_open else None,
        **display_settings(),
    }


@register.inclusion_tag("admin/comments/_pending.html", takes_context=True)
def pending_comments(context):
    """The number of comments waiting for an editor, for those who may moderate them."""
    user = context["request"].user
    if not user.has_perm("comments.can_moderate"):
        return {"show": False}
    return {"show": True, "count": Comment.objects.pending().count()}
