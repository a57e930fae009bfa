from django.contrib import admin
from django.utils.html import format_html

from .models import AnalysisFigure, AnalysisRun


class FigureInline(admin.TabularInline):
    model = AnalysisFigure
    extra = 0
    fields = ["name", "title", "preview"]
    readonly_fields = ["name", "title", "preview"]
    can_delete = False

    @admin.display(description="figure")
    def preview(self, obj):
        from django.urls import reverse

        return format_html('<img src="{}" alt="{}" style="max-width:480px">',
                           reverse("analysis:figure", args=[obj.run_id, obj.name, "svg"]), obj.title)


@admin.register(AnalysisRun)
class AnalysisRunAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "seed", "started", "duration_s", "code_version", "short_fingerprint"]
    list_filter = ["kind", "status"]
    search_fields = ["summary", "dataset_fingerprint", "code_version"]
    readonly_fields = ["kind", "parameters", "seed", "dataset_fingerprint", "code_version", "status", "summary", "notes",
                       "error", "started", "finished", "duration_s", "created_by", "result"]
    inlines = [FigureInline]

    @admin.display(description="dataset")
    def short_fingerprint(self, obj):
        return obj.dataset_fingerprint[:12]

    def has_add_permission(self, request):
        return False
