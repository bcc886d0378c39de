from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("post/", views.post_comment, name="post"),
    path("key/<int:article>/", views.form_key, name="key"),
    path("reply/<int:pk>/", views.reply, name="reply"),
    path("posted/<str:token>/", views.posted, name="posted"),
]
