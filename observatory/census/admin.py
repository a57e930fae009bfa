"""The census in the admin: runs and observations, read only (observations are evidence)."""

from django.contrib import admin

from .models import CensusRun, Observation


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CensusRun)
class CensusRunAdmin(ReadOnly):
    list_display = ["id", "started", "finished", "status", "done", "total"]
    list_filter = ["status"]


@admin.register(Observation)
class ObservationAdmin(ReadOnly):
    list_display = ["entity", "kind", "url", "observed_at", "outcome", "http_status", "error", "parked"]
    list_filter = ["outcome", "kind", "error", "parked", "left_domain"]
    search_fields = ["url", "title", "entity__name", "entity__slug"]
    list_select_related = ["entity"]
    raw_id_fields = ["entity", "run"]
    date_hierarchy = "observed_at"
