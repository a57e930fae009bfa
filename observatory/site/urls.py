from django.urls import path

from . import views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("entities/", views.entity_list, name="entity_list"),
    path("entities/<slug:slug>/", views.entity_detail, name="entity"),
    path("search/", views.search, name="search"),
    path("map/", views.map_page, name="map"),
    path("map/data.json", views.map_data, name="map_data"),
    path("map/choropleth.json", views.map_choropleth, name="map_choropleth"),
    path("network/", views.network_page, name="network"),
    path("network/data.json", views.network_data, name="network_data"),
    path("timeline/", views.timeline_page, name="timeline"),
    path("analysis/", views.analysis_page, name="analysis"),
    path("geo/provinces.json", views.provinces_geojson, name="provinces_geojson"),
    path("geo/prefectures.json", views.prefectures_geojson, name="prefectures_geojson"),
    path("favicon.ico", views.favicon, name="favicon"),
]
