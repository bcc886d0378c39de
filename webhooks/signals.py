"""Where every change to a story is heard: model signals for the admin's form and actions, a
restored revision and the shell; the importer's ``articles_written`` for its bulk batches. Each
receiver only hands the change to webhooks/outbox.py, inside the transaction of the write, so the
event commits with it.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from articles.importers.writer import articles_written
from articles.models import Article, Correction
from webhooks import outbox

_BEFORE = "_webhooks_before"


def _article_saving(sender, instance, raw=False, **kwargs):
    # The stored row, not the loaded copy: it may be minutes old.
    stored = None
    if instance.pk is not None:
        stored = (
            Article.objects.filter(pk=instance.pk).values_list("status", "published_at").first()
        )
    setattr(instance, _BEFORE, stored)


def _article_saved(sender, instance, created, raw=False, **kwargs):
    before = instance.__dict__.pop(_BEFORE, None)
    if raw and before is None:
        return  # a fixture being loaded is not news
    outbox.record_article_saved(instance, before=before)


def _article_deleted(sender, instance, **kwargs):
    outbox.record_article_deleted(instance)


def _articles_imported(sender, articles, before, **kwargs):
    outbox.record_articles_saved(articles, before=before)


def _correction_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        outbox.record_correction(instance)


def connect() -> None:
    """Called once from the app's ready()."""
    pre_save.connect(_article_saving, sender=Article, dispatch_uid="webhooks-article")
    post_save.connect(_article_saved, sender=Article, dispatch_uid="webhooks-article")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid="webhooks-article")
    articles_written.connect(_articles_imported, dispatch_uid="webhooks-import")
    post_save.connect(_correction_saved, sender=Correction, dispatch_uid="webhooks-correction")
