"""The read-only content API: thin views over the site's own querysets and search.

Every story comes from ``Article.objects.published()``. Each response names what it shows to
the page cache (``depends_on``), so it is cached and invalidated exactly as the site's pages
are (see ``api/apps.py`` for the lists each URL belongs to).
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound

from api.filters import ApiArticleFilter
from api.pagination import ApiPagination
from api.serializers import (
    ArticleSerializer,
    ArticleSummarySerializer,
    AuthorSerializer,
    SectionSerializer,
    TagSerializer,
)
from articles import caching
from articles.models import Article, Author, Section


class PageCachedListMixin:
    """List views: the page's objects are what the cached response depends on."""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        caching.depends_on(*page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(summary="Published stories, newest first (or best match with q)")
class ArticleListView(PageCachedListMixin, generics.ListAPIView):
    serializer_class = ArticleSummarySerializer
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApiArticleFilter

    def get_queryset(self):
        return Article.objects.published().for_listing().prefetch_related("tags")


@extend_schema(summary="One published story, whole")
class ArticleDetailView(generics.RetrieveAPIView):
    serializer_class = ArticleSerializer

    def get_object(self):
        try:
            article = Article.objects.published().for_detail().get(slug=self.kwargs["slug"])
        except Article.DoesNotExist as error:
            raise NotFound("No published story has this slug.") from error
        caching.depends_on(article)
        return article


@extend_schema(summary="Every section, in the site's navigation order")
class SectionListView(generics.ListAPIView):
    serializer_class = SectionSerializer
    pagination_class = None

    def get_queryset(self):
        return Section.objects.all()

    def list(self, request, *args, **kwargs):
        caching.depends_on(caching.SECTIONS)
        return super().list(request, *args, **kwargs)


@extend_schema(summary="Authors with published stories, by name")
class AuthorListView(PageCachedListMixin, generics.ListAPIView):
    serializer_class = AuthorSerializer
    pagination_class = ApiPagination

    def get_queryset(self):
        return Article.objects.published().bylined_authors().order_by("name", "pk")


@extend_schema(summary="One author, as on their page")
class AuthorDetailView(generics.RetrieveAPIView):
    serializer_class = AuthorSerializer

    def get_object(self):
        try:
            author = Author.objects.get(slug=self.kwargs["slug"])
        except Author.DoesNotExist as error:
            raise NotFound("No author has this slug.") from error
        caching.depends_on(author)
        return author


@extend_schema(summary="Tags of published stories, by name")
class TagListView(PageCachedListMixin, generics.ListAPIView):
    serializer_class = TagSerializer
    pagination_class = ApiPagination

    def get_queryset(self):
        return Article.objects.published().used_tags().order_by("name", "pk")
