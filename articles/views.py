import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.shortcuts import get_object_or_404
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView
from taggit.models import Tag

from articles import metadata, view_counts
from articles.caching import navigation_sections
from articles.filters import ArticleFilter
from articles.fronts.layout import front_for_page
from articles.models import Article, Author, Section
from articles.pagination import ArticlePaginator, RankedArticlePaginator
from articles.rails import build_rails, popular_window

HOME_STORIES_PER_SECTION = 4


class PublishedArticlesMixin:
    """Every reader-facing view starts from Article.objects.published()."""

    def get_queryset(self):
        return Article.objects.published()


class ArticleListMixin(PublishedArticlesMixin):
    """Lists of story cards, 20 a page, counted only as far as readers page (pagination.py)."""

    paginate_by = 20
    paginator_class = ArticlePaginator

    def get_queryset(self):
        return super().get_queryset().for_cards()


class ArticleListView(ArticleListMixin, ListView):
    """The home page: every story, newest first, paginated.

    The first page opens with the zones of the editors' front when one is live, else with the
    lead story (the newest); beside the list, the latest stories of each section that are not
    already on the page. Six queries when nothing is curated: navigation, count, page, its
    bylines, the front, and the section blocks; a front adds three (zones, pins, their bylines).
    """

    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stories = list(context["object_list"])
        context["latest"] = stories
        context["section_blocks"] = []
        if context["page_obj"].number != 1:
            return context
        shown = {story.pk for story in stories}
        front = front_for_page(section=None, stories=stories)
        if front is not None:
            context["zones"], context["latest"] = front.zones, front.rest
            shown |= front.shown_ids()
        elif stories:
            context["lead"], context["latest"] = stories[0], stories[1:]
        if shown:
            context["section_blocks"] = section_blocks(
                exclude=sorted(shown), per_section=HOME_STORIES_PER_SECTION
            )
        return context


def section_blocks(*, exclude, per_section):
    """[(section, [its newest stories])] in navigation order, in one query.

    The stories are ranked within their section on ids alone (from the section index, without
    a sort), and only the few that make the cut are read, with the columns the blocks show.
    The ranking's LIMIT (every section's share; the sections come from the navigation's
    cache) tells the database how few rows it keeps: without it, PostgreSQL expects them all
    and scans the whole table again to join them, and SQLite ranks to the end.
    """
    newest_per_section = (
        Article.objects.published()
        .filter(section__isnull=False)
        .exclude(pk__in=exclude)
        .annotate(
            section_rank=Window(
                RowNumber(),
                partition_by=F("section_id"),
                order_by=[F("published_at").desc(), F("pk").desc()],
            )
        )
        .filter(section_rank__lte=per_section)
        .values("pk")[: per_section * len(navigation_sections())]
    )
    chosen = (
        Article.objects.filter(pk__in=newest_per_section)
        .select_related("section")
        .only("headline", "slug", "published_at", "status", "section")
        .order_by("section__position", "section__name", "-published_at", "-pk")
    )
    blocks: dict[int, tuple[Section, list[Article]]] = {}
    for article in chosen:
        blocks.setdefault(article.section_id, (article.section, []))[1].append(article)
    return list(blocks.values())


class ArticleDetailView(PublishedArticlesMixin, DetailView):
    def get_queryset(self):
        articles = Article.objects.all() if self.can_preview() else Article.objects.published()
        return articles.for_detail()

    def can_preview(self) -> bool:
        return self.request.user.has_perm("articles.change_article")

    def get_object(self, queryset=None):
        article = super().get_object(queryset)
        # Editors previewing a draft, and HEAD requests (link checkers, crawlers), read nothing.
        if article.is_published() and self.request.method == "GET":
            counted = view_counts.count_view(article.pk, stored=article.view_count)
            article.view_count = counted or article.view_count
        return article

    def get_context_data(self, **kwargs):
        return super().get_context_data(rails=build_rails(self.object), **kwargs)


class SectionArticleListView(ArticleListMixin, ListView):
    template_name = "articles/section_detail.html"

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return super().get_queryset().in_section(self.section)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            section=self.section,
            current_section_slug=self.section.slug,
            most_read=most_read(self.section),
            **kwargs,
        )
        if context["page_obj"].number == 1:
            front = front_for_page(section=self.section, stories=list(context["object_list"]))
            if front is not None:
                context["zones"], context["latest"] = front.zones, front.rest
        return context


def most_read(section, size=5):
    """The section's most read stories of the "Popular Now" window, for its side column."""
    since = timezone.now() - popular_window()
    return list(
        Article.objects.published()
        .in_section(section)
        .filter(published_at__gte=since, view_count__gt=0)
        .only("headline", "slug", "published_at")
        .order_by("-view_count", "-published_at", "-pk")[:size]
    )


class AuthorArticleListView(ArticleListMixin, ListView):
    template_name = "articles/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().filter(authors=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class TagArticleListView(ArticleListMixin, ListView):
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class ArticleFilterView(ArticleListMixin, FilterView):
    """Search and filters at /search/: shareable URLs, active filters shown and removable.

    A query the form refuses (unknown section, a date that is no date, text too long) gets the
    page with the form's messages and no results, as a 400.
    """

    filterset_class = ArticleFilter
    template_name = "articles/article_filter.html"
    # Ranked on ids alone; the page's cards are read afterwards.
    paginator_class = RankedArticlePaginator

    def get_queryset(self):
        return Article.objects.published()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.filterset.is_bound and not self.filterset.is_valid():
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["active_filters"] = self.active_filters()
        context["query"] = (
            self.filterset.form.cleaned_data.get("q", "").strip()
            if self.filterset.is_valid()
            else ""
        )
        context["has_errors"] = self.filterset.is_bound and not self.filterset.is_valid()
        # The filters stay folded away unless one is in use (or wrong).
        context["filters_open"] = (
            context["has_errors"]
            or any(active["name"] != "q" for active in context["active_filters"])
            or bool(self.request.GET.get("sort"))
        )
        return context

    def active_filters(self):
        """[{label, value, remove_url}] for each filter in use, with a link that drops it."""
        if not self.filterset.is_bound or not self.filterset.is_valid():
            return []
        data = self.filterset.form.cleaned_data
        params = self.request.GET
        active = []
        for name, field in self.filterset.form.fields.items():
            value = data.get(name)
            if value in (None, "") or name == "sort":
                continue
            if isinstance(value, str):
                value = value.strip()
                if not value:
                    continue
            kept = [(k, v) for k, v in params.lists() if k not in (name, "page")]
            query = urlencode([(k, item) for k, values in kept for item in values])
            active.append(
                {
                    "name": name,
                    "label": field.label,
                    "value": _display(value),
                    "remove_url": reverse("articles:search") + (f"?{query}" if query else ""),
                }
            )
        return active


def _display(value):
    if isinstance(value, dt.date):
        return date_format(value, "j F Y")
    return str(value)


ROBOTS_TXT = """User-agent: *
Disallow: /admin/
Disallow: /search/

Sitemap: {sitemap}
Sitemap: {news_sitemap}
"""


@require_safe  # GET and HEAD, as every public page
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    body = ROBOTS_TXT.format(
        sitemap=metadata.absolute(reverse("articles:sitemap_index")),
        news_sitemap=metadata.absolute(reverse("articles:news_sitemap")),
    )
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


def _error_page(template_name, fallback):
    # No request context: the database may be down, or the request itself is the problem
    # (a host name not allowed makes every absolute URL fail).
    try:
        return loader.get_template(template_name).render({"site_name": settings.NEWSROOM_SITE_NAME})
    except Exception:  # the error page itself must never fail
        return f"<!doctype html><title>{fallback}</title><h1>{fallback}</h1>"


def server_error(request, template_name="500.html"):
    """The 500 page in the site's design, rendered without touching the database."""
    return HttpResponseServerError(_error_page(template_name, "Server error (500)"))


def bad_request(request, exception, template_name="400.html"):
    """The 400 page in the site's design (a disallowed host name, a malformed request)."""
    return HttpResponseBadRequest(_error_page(template_name, "Bad request (400)"))
