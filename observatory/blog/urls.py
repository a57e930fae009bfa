from django.urls import path

from . import feeds, views

app_name = "blog"
urlpatterns = [
    path("", views.post_list, name="list"),
    path("preview/", views.preview, name="preview"),
    path("feeds/rss.xml", feeds.PostFeed(), name="feed_rss"),
    path("feeds/atom.xml", feeds.AtomPostFeed(), name="feed_atom"),
    path("feeds/<str:language>/rss.xml", feeds.PostFeed(), name="feed_language_rss"),
    path("feeds/<str:language>/atom.xml", feeds.AtomPostFeed(), name="feed_language_atom"),
    path("tags/<str:tag>/rss.xml", feeds.PostFeed(), name="feed_tag_rss"),
    path("tags/<str:tag>/atom.xml", feeds.AtomPostFeed(), name="feed_tag_atom"),
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
    path("<slug:slug>/", views.post_detail, name="post"),
    path("<slug:slug>/comment/", views.comment_post, name="comment"),
]
