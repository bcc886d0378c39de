"""A walk through every admin page as a reporter, an editor and a superuser: no page answers
a 500, whatever the object's state."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from articles.models import Article, Correction, ImageSource
from tests.staff import article_form_data, staff_user
from tests.test_images import jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(settings, tmp_path, make_article, make_credit, make_related, reporter_author):
    settings.MEDIA_ROOT = tmp_path / "media"
    credit = make_credit(alt_text="Boats")
    credit.image.save("boats.jpg", ContentFile(jpeg_bytes((800, 500))))
    credit.sources.add(ImageSource.objects.create(name="Harbour Agency"))
    reporter_author.photo.save("rita.jpg", ContentFile(jpeg_bytes((300, 300))))
    live = make_article(authors=[reporter_author], lead_image=credit, tags=["Seoul", "Café"])
    scheduled = make_article(published_at=timezone.now() + dt.timedelta(days=1))
    draft = make_article(status=Article.Status.DRAFT, authors=[reporter_author])
    make_related(live, target=scheduled)
    Correction.objects.create(article=live, text="A name was misspelt.")
    return live, scheduled, draft


def admin_urls(model, obj=None):
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    if obj is None:
        return [reverse(f"{info}_changelist"), reverse(f"{info}_add")]
    args = [quote(obj.pk)]
    return [reverse(f"{info}_{view}", args=args) for view in ("change", "history", "delete")]


@pytest.mark.parametrize("role", ["Reporter", "Editor", "superuser"])
def test_every_admin_page_answers_without_a_500(client, desk, reporter, role):
    """Lists, add forms, change, history and delete pages of every object; the article's
    compare, revision, preview and tag pages; all below 500."""
    if role == "Reporter":
        user = reporter
    else:
        user = staff_user("Editor", username=f"walker-{role}")
        user.is_superuser = role == "superuser"
        user.save()
    client.force_login(user)
    live, scheduled, draft = desk
    # Revisions to walk: an editor saves each article once.
    editor = staff_user("Editor", username="saver")
    client.force_login(editor)
    for article in (live, scheduled, draft):
        article.refresh_from_db()
        client.post(
            reverse("admin:articles_article_change", args=[article.pk]), article_form_data(article)
        )
    client.force_login(user)

    urls = []
    for model in admin.site._registry:
        urls += admin_urls(model)
        for obj in model._default_manager.all()[:20]:
            try:
                urls += admin_urls(model, obj)
            except NoReverseMatch:
                continue
    from reversion.models import Version

    for article in (live, scheduled, draft):
        versions = list(Version.objects.get_for_object(article))
        urls.append(
            reverse("admin:articles_article_compare", args=[article.pk])
            + f"?from={versions[0].pk}&to={versions[-1].pk}"
        )
        urls.append(reverse("admin:articles_article_revision", args=[article.pk, versions[0].pk]))
    urls.append(reverse("admin:articles_article_tag_autocomplete") + "?term=caf&page=" + "9" * 30)
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
    for article in (live, scheduled, draft):
        url = reverse("admin:articles_article_preview", args=[article.pk])
        assert client.post(url, article_form_data(article)).status_code < 500, url
