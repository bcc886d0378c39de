from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="home"),
    path("news/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("section/<slug:slug>/", views.SectionArticleListView.as_view(), name="section"),
    path("author/<slug:slug>/", views.AuthorArticleListView.as_view(), name="author"),
    path("tag/<slug:slug>/", views.TagArticleListView.as_view(), name="tag"),
]
