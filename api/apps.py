from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Content API"

    def ready(self):
        from articles.caching import CACHED_PAGES, LATEST, CachePolicy

        # The API is page-cached like the site: each response names the stories, authors and
        # tags it shows (api/views.py); lists also expire when any story is published or
        # changed (LATEST) and when the next scheduled one goes live.
        CACHED_PAGES.update(
            {
                "api:article-list": CachePolicy(lists=(LATEST,)),
                "api:article-detail": CachePolicy(query_params=()),
                "api:section-list": CachePolicy(query_params=()),
                "api:author-list": CachePolicy(lists=(LATEST,)),
                "api:author-detail": CachePolicy(query_params=()),
                "api:tag-list": CachePolicy(lists=(LATEST,)),
            }
        )
