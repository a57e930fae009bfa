from django.contrib import admin
from django.utils.html import format_html

from .models import AnalysisFigure, AnalysisRun


class FigureInline(admin.TabularInline):
    model = AnalysisFigure
    extra = 0
    fields = ["name", "title", "preview"]
    readonly_fields = ["name", "title", "preview"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # figures are drawn by the run, never added by hand

    @admin.display(description="figure")
    def preview(self, obj):
        from django.urls import reverse

        if obj is None or obj.pk is None:
            return "—"
        return format_html('<img class="obs-admin-figure" src="{}" alt="{}">',
                           reverse("analysis:figure", args=[obj.run_id, obj.name, "svg"]), obj.title)


@admin.register(AnalysisRun)
class AnalysisRunAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "seed", "started", "duration_s", "code_version", "short_fingerprint"]
    list_filter = ["kind", "status"]
    search_fields = ["summary", "dataset_fingerprint", "code_version"]
    readonly_fields = ["kind", "parameters", "seed", "dataset_fingerprint", "code_version", "status", "summary", "notes",
                       "error", "started", "finished", "duration_s", "created_by", "result"]
    inlines = [FigureInline]

    class Media:
        css = {"all": ["site/admin.css"]}

    @admin.display(description="dataset")
    def short_fingerprint(self, obj):
        return obj.dataset_fingerprint[:12]

    def has_add_permission(self, request):
        return False
