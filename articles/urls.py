from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from articles import feeds, views
from articles.converters import UnicodeSlugConverter
from articles.sitemaps import SITEMAPS, NewsSitemap, sitemap_index

register_converter(UnicodeSlugConverter, "uslug")

app_name = "articles"

SITEMAP_TYPE = "application/xml; charset=utf-8"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="home"),
    path("news/<uslug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("section/<uslug:slug>/", views.SectionArticleListView.as_view(), name="section"),
    path("author/<uslug:slug>/", views.AuthorArticleListView.as_view(), name="author"),
    path("tag/<uslug:slug>/", views.TagArticleListView.as_view(), name="tag"),
    path("search/", views.ArticleFilterView.as_view(), name="search"),
    # Feeds: RSS 2.0 at .../feed/, Atom at .../feed/atom/.
    path("feeds/latest/", feeds.LatestArticlesFeed(), name="feed"),
    path("feeds/latest/atom/", feeds.LatestArticlesAtomFeed(), name="feed_atom"),
    path("section/<uslug:slug>/feed/", feeds.SectionArticlesFeed(), name="section_feed"),
    path(
        "section/<uslug:slug>/feed/atom/",
        feeds.SectionArticlesAtomFeed(),
        name="section_feed_atom",
    ),
    path("author/<uslug:slug>/feed/", feeds.AuthorArticlesFeed(), name="author_feed"),
    path("author/<uslug:slug>/feed/atom/", feeds.AuthorArticlesAtomFeed(), name="author_feed_atom"),
    path("tag/<uslug:slug>/feed/", feeds.TagArticlesFeed(), name="tag_feed"),
    path("tag/<uslug:slug>/feed/atom/", feeds.TagArticlesAtomFeed(), name="tag_feed_atom"),
    # Search engines.
    path(
        "sitemap.xml",
        sitemap_index,
        {
            "sitemaps": SITEMAPS,
            "sitemap_url_name": "articles:sitemap",
            "template_name": "articles/sitemap_index.xml",
            "content_type": SITEMAP_TYPE,
        },
        name="sitemap_index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {
            "sitemaps": SITEMAPS,
            "template_name": "articles/sitemap.xml",
            "content_type": SITEMAP_TYPE,
        },
        name="sitemap",
    ),
    path(
        "news-sitemap.xml",
        sitemap_views.sitemap,
        {
            "sitemaps": {"news": NewsSitemap},
            "template_name": "articles/news_sitemap.xml",
            "content_type": SITEMAP_TYPE,
        },
        name="news_sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
