from django.urls import re_path

from . import views

app_name = "analysis"
urlpatterns = [
    re_path(r"^runs/(?P<run_id>\d+)/figures/(?P<name>[-\w]+)\.(?P<fmt>svg|png)$", views.figure, name="figure"),
    # the Chinese drawing: its own address, since a figure is cached for good
    re_path(r"^runs/(?P<run_id>\d+)/figures/(?P<name>[-\w]+)\.zh\.(?P<fmt>svg|png)$", views.figure,
            {"language": "zh-hans"}, name="figure_zh"),
]
