from django.apps import AppConfig


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"
    verbose_name = "Reader comments"

    def ready(self):
        from articles import caching
        from comments.models import Comment, Discussion, comments_token

        # A comment shows on its article's page alone: only that page is refreshed, never the
        # lists that show the article's card. (Registered after the articles app, this replaces
        # the refresh of the whole article that its foreign key would otherwise bring.)
        caching.track(Comment, Comment.page_tokens)
        caching.track(Discussion, lambda discussion: [comments_token(discussion.article_id)])
