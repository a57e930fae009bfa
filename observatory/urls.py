from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from observatory.blog.sitemaps import SITEMAPS

admin.site.site_header = "Observatory curation"
admin.site.site_title = "Observatory"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("observatory.api.urls")),
    path("blog/", include("observatory.blog.urls")),
    path("analysis/", include("observatory.analysis.urls")),
    path("", include("observatory.site.urls")),
]
