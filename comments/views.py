"""Posting a comment, outside the page cache.

The article page is cached whole for every reader, so it cannot carry a reader's CSRF token.
Its form is filled in by comments.js from ``form_key`` (an uncached answer that sets the CSRF
cookie and hands out the token and the signed start time). A post without them (JavaScript
off, or a form left open for a day) is not thrown away: the reader gets the form back, filled
in, with a fresh token, and posts it again.
"""

from django.conf import settings
from django.core import signing
from django.http import Http404, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from articles import metadata
from articles.models import Article
from comments import moderation, spam
from comments.forms import CommentForm
from comments.models import Comment
from comments.thread import display_settings, thread_for

POSTED_SALT = "comments.posted"
POSTED_MAX_AGE = 24 * 3600


@never_cache
@require_GET
def form_key(request, article):
    """The CSRF token (its cookie set here) and the signed start time for one form."""
    return JsonResponse(
        {"csrfmiddlewaretoken": get_token(request), "started": spam.issue_started(article)}
    )


def _protected(request):
    """Stands for a view under Django's CSRF protection, for ``csrf_refused``."""


def csrf_refused(request) -> bool:
    """Django's own CSRF check (cookie, token, Origin), run here so that a failure can hand the
    reader's comment back instead of answering a bare 403."""
    check = CsrfViewMiddleware(lambda request: None)
    return check.process_view(request, _protected, (), {}) is not None


def _published_article(pk) -> Article:
    try:
        return Article.objects.published().get(pk=int(pk))
    except (Article.DoesNotExist, TypeError, ValueError):
        raise Http404("No such story takes comments.") from None


def _form_page(request, article, form, *, status=200, notice="", parent=None, closed=False):
    return render(
        request,
        "comments/comment_form.html",
        {
            "article": article,
            "form": form,
            "notice": notice,
            "parent": parent,
            "closed": closed,
            **display_settings(),
        },
        status=status,
    )


@csrf_exempt  # checked by csrf_refused(), see the module's docstring
@require_POST
@never_cache
def post_comment(request):
    article = _published_article(request.POST.get("object_pk"))
    form = CommentForm(article, data=request.POST)
    valid = form.is_valid()
    parent = form.cleaned_data.get("parent")

    def hand_back(status, notice):
        return _form_page(
            request,
            article,
            CommentForm(article, data=form.fresh_data),
            status=status,
            notice=notice,
            parent=parent,
        )

    if not thread_for(article).is_open:
        # The reader's text is shown back to them, so that nothing they wrote is lost.
        return _form_page(request, article, form, status=403, closed=True)
    if form.security_errors():
        if "honeypot" in form.errors:
            return hand_back(400, "Your comment looks like automatic spam and was not posted.")
        return hand_back(400, "The form had expired. Check your comment and post it again.")
    started = spam.started_problem(request.POST.get("started", ""), article.pk)
    if csrf_refused(request) or started == "missing":
        return hand_back(403, "Check your comment and post it again to confirm it is yours.")
    if not valid:
        return hand_back(400, "Your comment was not posted: see below.")
    if started == "too fast":
        return hand_back(400, "That was quick! Check your comment, then post it again.")
    address = spam.client_address(request)
    if spam.over_rate_limit(address):
        minutes = max(1, round(settings.COMMENTS_RATE_WINDOW / 60))
        return hand_back(
            429,
            "You have posted several comments in a short time. Please wait a few minutes "
            f"(at most {minutes}) and post this one again.",
        )
    comment = moderation.submit(
        form=form,
        request=request,
        permalink=metadata.absolute(article.get_absolute_url()),
    )
    spam.count_post(address)
    return redirect("comments:posted", signing.dumps(comment.pk, salt=POSTED_SALT))


@never_cache
@require_GET
def reply(request, pk):
    """The form answering one comment (the page's "Reply" link, which works without JavaScript)."""
    parent = get_object_or_404(Comment.objects.published(), pk=pk)
    article = _published_article(parent.article_id)
    parent = parent.parent or parent
    if not thread_for(article).is_open:
        return _form_page(request, article, None, status=403, closed=True)
    form = CommentForm(
        article, initial={"parent": parent.pk, "started": spam.issue_started(article.pk)}
    )
    return _form_page(request, article, form, parent=parent)


@never_cache
@require_GET
def posted(request, token):
    """Tells the reader whether their comment is on the page now or waits for an editor."""
    try:
        pk = signing.loads(token, salt=POSTED_SALT, max_age=POSTED_MAX_AGE)
    except signing.BadSignature:
        raise Http404("No such comment.") from None
    comment = get_object_or_404(Comment, pk=pk)
    article = _published_article(comment.article_id)
    return render(
        request,
        "comments/posted.html",
        {
            "article": article,
            "comment": comment,
            "url": f"{article.get_absolute_url()}#{comment.anchor}",
        },
    )
