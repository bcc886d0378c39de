from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Newsroom content"

    def ready(self):
        import reversion

        from articles.models import Article, Byline, RelatedStory

        # One revision = one save of an article with its byline and related stories, so
        # restoring brings all three back. Counters, the lock and the corrections log are not
        # content: they are never rewound (ArticleAdmin.revision_view keeps their live values).
        for model in (Byline, RelatedStory):
            if not reversion.is_registered(model):
                reversion.register(model)
        if not reversion.is_registered(Article):
            reversion.register(
                Article,
                follow=("byline_set", "related_stories"),
                exclude=("view_count", "lock_version", "correction_log"),
            )

        from articles import caching, tags  # noqa: F401  (tags: slugs for any tag name)
        from newsroom import checks  # noqa: F401  (registers the check --deploy warnings)

        caching.connect_signals()

        from articles.desk.models import EditorialNote, FormDraft

        # The desk's own records point at articles but readers never see them: saving one
        # (a draft is kept every few seconds while someone types) must not refresh any page.
        for model in (EditorialNote, FormDraft):
            caching.track(model, lambda instance: ())

        from articles.fronts import freshness
        from articles.redirects import recording

        freshness.connect()
        recording.connect()

        from django.core.signals import request_finished

        from articles import view_counts

        # After the response is sent: the counts of the last seconds go to the database.
        request_finished.connect(view_counts.flush_if_due, dispatch_uid="articles-view-counts")

        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from articles import search_index

        connection_created.connect(
            search_index.add_sqlite_functions, dispatch_uid="articles-sqlite-functions"
        )
        post_migrate.connect(
            search_index.reinstall_after_migrate, sender=self, dispatch_uid="articles-search-index"
        )
