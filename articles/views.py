from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from articles.models import Article, Author, Section


class PublishedArticlesMixin:
    """Every reader-facing view starts from Article.objects.published()."""

    def get_queryset(self):
        return Article.objects.published().for_listing()


class ArticleListView(PublishedArticlesMixin, ListView):
    template_name = "articles/home.html"
    paginate_by = 20


class ArticleDetailView(PublishedArticlesMixin, DetailView):
    def get_queryset(self):
        articles = Article.objects.all() if self.can_preview() else Article.objects.published()
        return articles.for_detail()

    def can_preview(self) -> bool:
        return self.request.user.has_perm("articles.change_article")

    def get_object(self, queryset=None):
        article = super().get_object(queryset)
        # Editors previewing a draft should not inflate the count readers see.
        if article.is_published():
            article.record_view()
        return article


class SectionArticleListView(PublishedArticlesMixin, ListView):
    template_name = "articles/section_detail.html"
    paginate_by = 20

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return super().get_queryset().in_section(self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class AuthorArticleListView(PublishedArticlesMixin, ListView):
    template_name = "articles/author_detail.html"
    paginate_by = 20

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().filter(authors=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class TagArticleListView(PublishedArticlesMixin, ListView):
    template_name = "articles/tag_detail.html"
    paginate_by = 20

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)
