"""The desk's tool, one module per idea; this module registers every ModelAdmin.

- article.py      the article admin: list, form, permissions, URLs
- actions.py      the list's workflow actions (publish, schedule, unpublish, ...)
- preview.py      the live preview of the unsaved form
- revisions.py    history, comparing two revisions, restoring one; diff.py: the word diff
- tagging.py      the tag search behind the tag box, and the tag admin
- inlines.py      byline, related stories and corrections rows
- related.py      the related-story picker; photo_picker.py the lead and social image picker
- share_preview.py  the form's search-result and shared-card preview
- filters.py      the list filters
- photos.py       image credits and image sources; authors.py, sections.py, corrections.py
- photo_metadata.py  what a chosen photo's IPTC/EXIF proposes, shown before any is used
- display.py      thumbnails and counted lists several admins show

Fronts, redirects and the desk's notes keep their admins in their own packages
(articles/fronts/admin.py, articles/redirects/admin.py, articles/desk/admin.py); importing
them here registers them.
"""

from django.contrib import admin
from taggit.models import Tag

from articles.admin.article import ArticleAdmin
from articles.admin.authors import AuthorAdmin
from articles.admin.corrections import CorrectionAdmin
from articles.admin.photos import ImageCreditAdmin, ImageSourceAdmin
from articles.admin.sections import SectionAdmin
from articles.admin.tagging import DeskTagAdmin
from articles.fronts import admin as fronts_admin  # noqa: F401  (registers fronts, banners)
from articles.models import Article, Author, Correction, ImageCredit, ImageSource, Section
from articles.redirects import admin as redirects_admin  # noqa: F401  (registers redirects)

admin.site.register(Section, SectionAdmin)
admin.site.register(Author, AuthorAdmin)
admin.site.register(ImageSource, ImageSourceAdmin)
admin.site.register(ImageCredit, ImageCreditAdmin)
admin.site.register(Article, ArticleAdmin)
admin.site.register(Correction, CorrectionAdmin)
# django-taggit registers its own tag admin first (it comes earlier in INSTALLED_APPS).
admin.site.unregister(Tag)
admin.site.register(Tag, DeskTagAdmin)
