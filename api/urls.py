from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from api import views
from api.errors import not_found

app_name = "api"

urlpatterns = [
    path("articles/", views.ArticleListView.as_view(), name="article-list"),
    # Any slug the site accepts (any script); an unknown one is a JSON 404.
    path("articles/<str:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path("sections/", views.SectionListView.as_view(), name="section-list"),
    path("authors/", views.AuthorListView.as_view(), name="author-list"),
    path("authors/<str:slug>/", views.AuthorDetailView.as_view(), name="author-detail"),
    path("tags/", views.TagListView.as_view(), name="tag-list"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", not_found),
]
