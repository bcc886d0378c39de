"""The site mounted under another path, for the URL test in test_models.py."""

from django.urls import include, path

urlpatterns = [path("elsewhere/", include("articles.urls"))]
