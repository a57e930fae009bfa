from django.urls import path

from . import views

app_name = "site"
urlpatterns = [
    path("", views.entity_list, name="home"),
    path("entities/", views.entity_list, name="entity_list"),
    path("entities/<slug:slug>/", views.entity_detail, name="entity"),
    path("geo/provinces.json", views.provinces_geojson, name="provinces_geojson"),
]
