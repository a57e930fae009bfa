from django.urls import re_path

from . import views

app_name = "analysis"
urlpatterns = [
    re_path(r"^runs/(?P<run_id>\d+)/figures/(?P<name>[-\w]+)\.(?P<fmt>svg|png)$", views.figure, name="figure"),
]
