"""Import runs through the command: batches, dry runs, bad files, repeated pages."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.importers import writer
from articles.importers.parser import parse_article_page
from articles.importers.sidecar import Editorial
from articles.importers.writer import save_parsed_article
from articles.models import Article, Author, Byline, ImageCredit, RelatedStory, Section
from tests.pages import VARIANTS, build_pages, render_page

pytestmark = pytest.mark.django_db


def write_pages(directory, count, seed=3, variants=()):
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for spec in build_pages(count, seed=seed, variants=variants):
        path = directory / spec.filename
        path.write_text(render_page(spec), encoding="utf-8")
        paths.append(path)
    return paths


def snapshot():
    """Everything an import writes, by natural keys, so two imports can be compared."""
    articles = {
        a.slug: (
            a.headline,
            a.body,
            a.status,
            a.section.slug if a.section else None,
            a.view_count,
            (a.lead_image.caption, a.lead_image.place, a.lead_image.credit_line)
            if a.lead_image
            else None,
            tuple(a.lead_image.sources.values_list("name", flat=True)) if a.lead_image else (),
        )
        for a in Article.objects.select_related("section", "lead_image")
    }
    bylines = sorted(Byline.objects.values_list("article__slug", "author__slug", "position"))
    rails = sorted(
        RelatedStory.objects.values_list(
            "article__slug", "rail", "position", "headline", "section_label", "target__slug"
        )
    )
    authors = sorted(Author.objects.values_list("slug", "name", "email"))
    sections = sorted(Section.objects.values_list("slug", "name"))
    tags = sorted(
        (slug, tag) for slug in articles for tag in Article.objects.get(slug=slug).tags.names()
    )
    return articles, bylines, rails, authors, sections, tags


def clear():
    for model in (RelatedStory, Byline, Article, ImageCredit, Author, Section):
        model.objects.all().delete()


def test_a_batch_writes_what_batches_of_one_write(tmp_path):
    """Rails linked both ways, bylines, credits, sections: the same, whatever the batching."""
    paths = write_pages(tmp_path, 40)
    call_command("import_articles", *paths, status="published", stdout=io.StringIO())
    batched = snapshot()
    clear()
    for path in paths:
        save_parsed_article(
            parsed=parse_article_page(path.read_text()), editorial=Editorial(status="published")
        )
    assert snapshot() == batched
    assert RelatedStory.objects.filter(target__isnull=False).count() > 40


def test_reimport_in_a_batch_updates_and_keeps_readers_counts(tmp_path):
    """A second run updates every article in place, keeping view counts and editors' status."""
    paths = write_pages(tmp_path, 10)
    call_command("import_articles", *paths, stdout=io.StringIO())
    article = Article.objects.order_by("pk").first()
    Article.objects.add_view(article.pk)
    Article.objects.filter(pk=article.pk).update(
        status=Article.Status.PUBLISHED, published_at=timezone.now()
    )
    before = snapshot()
    out = io.StringIO()
    call_command("import_articles", *paths, stdout=out)
    assert "0 created, 10 updated, 0 failed." in out.getvalue()
    after = snapshot()
    assert after == before
    article.refresh_from_db()
    assert (article.view_count, article.status) == (1, Article.Status.PUBLISHED)


def test_queries_do_not_grow_with_the_pages(tmp_path, monkeypatch):
    """Forty pages take about as many queries as four: the work is done per batch, refreshing
    the page cache and recording webhook events included."""
    changed = []
    real_changed = writer.articles_changed
    monkeypatch.setattr(
        writer,
        "articles_changed",
        lambda pks, new=(): real_changed(changed.extend([*pks, *new]) or pks, new=new),
    )
    few, many = write_pages(tmp_path / "few", 4, seed=1), write_pages(tmp_path / "many", 40)
    counts = []
    for paths in (few, many):
        with CaptureQueriesContext(connection) as captured:
            call_command("import_articles", *paths, stdout=io.StringIO())
        counts.append(len(captured))
    assert counts[1] <= counts[0] + 10
    assert set(Article.objects.values_list("pk", flat=True)) <= set(changed)


def test_a_bad_page_in_a_batch_fails_alone(tmp_path):
    """A page with a too-long rail headline fails whole; the rest of its batch imports."""
    paths = write_pages(tmp_path, 5)
    text = paths[2].read_text()
    headline = build_pages(5, seed=3)[2].also_like[0].headline
    paths[2].write_text(text.replace(headline, "Long " * 80, 1))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", *paths, stdout=out, stderr=err)
    assert f"{paths[2]}: not saved" in err.getvalue()
    assert out.getvalue().count(": created ") == 4
    assert Article.objects.count() == 4
    assert not Article.objects.filter(headline=build_pages(5, seed=3)[2].headline).exists()


def test_failed_page_leaves_no_new_author_or_section(tmp_path):
    """Nothing of a failing page is written, not even the author and section it names."""
    spec = build_pages(1, seed=9)[0]
    text = render_page(spec).replace(spec.author, "Jane Newcomer")
    text = text.replace(f"[{spec.section}] Latest Stories", "[NEWDESK] Latest Stories")
    valid, invalid = tmp_path / "valid.txt", tmp_path / "invalid.txt"
    valid.write_text(text)
    invalid.write_text(text.replace(spec.also_like[0].headline, "Long " * 80, 1))
    call_command("import_articles", valid, "--dry-run", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import_articles", invalid, stdout=io.StringIO(), stderr=io.StringIO())
    assert not Author.objects.filter(name="Jane Newcomer").exists()
    assert not Section.objects.filter(slug="newdesk").exists()
    call_command("import_articles", valid, stdout=io.StringIO())
    assert Author.objects.filter(name="Jane Newcomer").exists()
    assert Section.objects.filter(slug="newdesk").exists()


def test_database_refusal_falls_back_to_one_page_at_a_time(tmp_path, monkeypatch):
    """If the database refuses a batch, each page is written on its own, with its own result."""
    from articles.importers import writer

    real_write = writer._Batch.write

    def refuse_batches(batch):
        if len(batch.pages) > 1:
            raise DatabaseError("deadlock detected")
        return real_write(batch)

    monkeypatch.setattr(writer._Batch, "write", refuse_batches)
    paths = write_pages(tmp_path, 6)
    out = io.StringIO()
    call_command("import_articles", *paths, stdout=out)
    assert "6 created, 0 updated, 0 failed." in out.getvalue()
    assert RelatedStory.objects.filter(target__isnull=False).exists()


def test_the_same_page_twice_in_one_run(tmp_path):
    """A page given twice is created then updated, as one page at a time would."""
    path = write_pages(tmp_path, 1)[0]
    out = io.StringIO()
    call_command("import_articles", path, path, stdout=out)
    assert "1 created, 1 updated, 0 failed." in out.getvalue()
    assert Article.objects.count() == 1


def test_empty_curated_headline_fails_its_page_alone(tmp_path):
    """A sidecar naming an empty related headline fails that page, as one at a time would."""
    paths = write_pages(tmp_path, 3)
    paths[1].with_suffix(".toml").write_text('related = [""]\n')
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_articles", *paths, stdout=io.StringIO(), stderr=err)
    assert f"{paths[1]}: sidecar {paths[1].stem}.toml: related: an entry is empty" in err.getvalue()
    assert Article.objects.count() == 2


def test_generated_variants_import_faithfully(tmp_path, client):
    """Every variant the generator writes imports as a story of its own, with what it says."""
    from articles.models import ImageSource

    specs = build_pages(24, seed=6, variants=VARIANTS)
    paths = write_pages(tmp_path, 24, seed=6, variants=VARIANTS)
    out = io.StringIO()
    call_command("import_articles", *paths, status="published", stdout=out)
    assert "24 created, 0 updated, 0 failed." in out.getvalue()
    for spec in specs:
        article = Article.objects.get(source_url=spec.source_url)
        assert article.headline == spec.headline
        assert client.get(article.get_absolute_url()).status_code == 200
        authors = {author.name: author.email for author in article.authors.all()}
        assert set(authors) == set(spec.byline)
        # An author has one address: the last page's sign-off gives it (each page's own is
        # checked where one page is imported).
        if spec.caption:
            assert article.lead_image.caption == spec.caption
        for name in spec.photographers:
            assert ImageSource.objects.get(name=name).kind == ImageSource.Kind.PHOTOGRAPHER
    # Three pages repeat the headline of the page before them (another URL): each a story.
    assert Article.objects.count() == 24
    assert Article.objects.values("slug").distinct().count() == 24
    assert {spec.headline for spec in specs} >= {"!!!", "Россия и КНДР подписали новое соглашение"}


def test_a_folder_named_with_a_glob_reads_each_sidecar_with_its_page(tmp_path):
    """``import_articles pages/*`` names the sidecars too: they are read with their pages, and
    are not reported as pages that failed."""
    first, second = write_pages(tmp_path, 2)
    first.with_suffix(".toml").write_text('tags = ["Harbour"]\neditors_pick = true\n')
    out, err = io.StringIO(), io.StringIO()
    call_command("import_articles", *sorted(tmp_path.iterdir()), stdout=out, stderr=err)
    assert err.getvalue() == ""
    assert "2 created, 0 updated, 0 failed." in out.getvalue()
    tagged = Article.objects.get(tags__name="Harbour")
    assert tagged.editors_pick


def test_a_sidecar_named_without_its_page_is_refused_by_name(tmp_path):
    [page] = write_pages(tmp_path, 1)
    sidecar = page.with_suffix(".toml")
    sidecar.write_text('tags = ["Harbour"]\n')
    other = write_pages(tmp_path / "more", 1, seed=8)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 created, 0 updated, 1 failed"):
        call_command("import_articles", sidecar, *other, stdout=io.StringIO(), stderr=err)
    assert f"{sidecar}: a sidecar, not a page: name its page" in err.getvalue()
    assert not Article.objects.filter(tags__name="Harbour").exists()


def test_a_run_streams_its_files_a_batch_at_a_time(tmp_path, monkeypatch):
    """Files are read as their batch fills and each batch is reported once written: a run
    holds one batch of pages, however many files it is given."""
    from articles.importers import run

    monkeypatch.setattr(writer, "BATCH_SIZE", 5)
    paths = write_pages(tmp_path, 23)
    read = []
    real_read = run.read_text_file
    monkeypatch.setattr(
        run, "read_text_file", lambda path, **kw: read.append(path) or real_read(path, **kw)
    )
    outcomes = run.import_files(paths, defaults=Editorial())
    first = next(outcomes)
    assert first.result is not None and first.result.created
    assert len(read) == 6  # the first batch of five, and the page that closed it
    assert Article.objects.count() == 5
    rest = list(outcomes)
    assert len(read) == len(paths) and len(rest) == len(paths) - 1
    assert Article.objects.count() == len(paths)
