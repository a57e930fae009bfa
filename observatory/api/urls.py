from django.urls import URLPattern, path, re_path

from . import views
from .api import api

app_name = "api"


def _wrapped(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            view = views.api_route(pattern.callback, cached=pattern.name in views.CACHED_READS)
            yield URLPattern(pattern.pattern, view, pattern.default_args, pattern.name)
        else:
            yield pattern


urlpatterns = [
    path("", views.api_route(views.root), name="root"),
    path("docs", views.docs, name="docs"),
    *_wrapped(api.urls[0]),
    re_path(r"^(?P<unknown>.*)$", views.api_route(views.not_found), name="not_found"),
]
