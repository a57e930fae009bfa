"""Stored analysis results: every run keeps its parameters, seed, dataset fingerprint and code
version, so that the same data + the same parameters + the same seed give the same numbers, and a
blog post can pin the run it shows."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from observatory.china.names import is_chinese_language


class AnalysisRun(models.Model):
    KINDS = [("network", "network"), ("spatial", "territory"), ("typology", "typology"), ("timeline", "timeline")]
    STATUSES = [("running", "running"), ("done", "done"), ("failed", "failed")]

    kind = models.CharField(max_length=20, choices=KINDS, db_index=True)
    parameters = models.JSONField(default=dict)
    seed = models.BigIntegerField(null=True, blank=True)
    dataset_fingerprint = models.CharField(max_length=64, db_index=True)
    code_version = models.CharField(max_length=80)
    status = models.CharField(max_length=10, choices=STATUSES, default="running")
    result = models.JSONField(default=dict, blank=True)
    summary = models.TextField(blank=True)
    notes = models.JSONField(default=list, blank=True, help_text="Explanations of undefined values, warnings")
    error = models.TextField(blank=True)
    started = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-started", "-id"]
        get_latest_by = "started"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} run #{self.pk} ({self.status})"


class AnalysisFigure(models.Model):
    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="figures")
    name = models.SlugField(max_length=80)
    title = models.CharField(max_length=300)
    svg = models.TextField()
    png = models.BinaryField()
    # the same figure drawn with its texts and names in Chinese (empty in runs made before 0002)
    svg_zh = models.TextField(blank=True, default="")
    png_zh = models.BinaryField(blank=True, default=b"")

    class Meta:
        ordering = ["run", "name"]
        constraints = [models.UniqueConstraint(fields=["run", "name"], name="figure_name_unique_per_run")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.name}"

    def drawing(self, fmt: str, language: str | None) -> str | bytes:
        """The figure as ``fmt`` (svg or png) for a reader of ``language``: the Chinese drawing on
        Chinese pages when the run has one, else the English one."""
        chinese = is_chinese_language(language)
        if fmt == "svg":
            return self.svg_zh if chinese and self.svg_zh else self.svg
        png_zh = bytes(self.png_zh or b"")
        return png_zh if chinese and png_zh else bytes(self.png)
