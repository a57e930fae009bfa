"""Imports and the merge review queue in the admin.

- *Import runs*: every import with its counts, rejects and cleaning notes; **Import a file**
  uploads a file (and a YAML mapping for spreadsheets), previews it (the import runs and is rolled
  back), and imports it when the curator confirms.
- *Merge decisions*: the pairs entity resolution merged or queued; a curator accepts or rejects
  queued pairs and un-merges merged ones (actions on the list).
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .importers import IMPORTERS, ImportFileError, importer_get, source_import
from .models import ImportRun, MergeDecision
from .resolution import entity_unmerge, merge_decision_accept, merge_decision_reject

_UPLOADS = Path(getattr(settings, "VAR_DIR", Path("var"))) / "imports"


class ImportUploadForm(forms.Form):
    importer = forms.ChoiceField(choices=[(name, f"{name}: {cls.description}") for name, cls in IMPORTERS.items()])
    file = forms.FileField()
    mapping = forms.FileField(required=False, help_text="YAML column mapping (the 'spreadsheet' importer)")

    def clean(self):
        cleaned = super().clean()
        importer = IMPORTERS.get(cleaned.get("importer") or "")
        if importer is not None and getattr(importer, "needs_mapping", False) and not cleaned.get("mapping"):
            self.add_error("mapping", f"The '{cleaned['importer']}' importer reads a spreadsheet's columns through a "
                                      "YAML column mapping: choose that file in this Mapping field and upload again "
                                      "(the mapping format is in docs/importers.md).")
        return cleaned


def _error_text(exc: Exception, names: dict[str, str]) -> str:
    """What went wrong, naming the files as the curator uploaded them, never the server's upload
    folder (``names``: saved file name → uploaded name)."""
    if isinstance(exc, KeyError):
        return str(exc.args[0])
    if isinstance(exc, ImportFileError):
        saved = Path(exc.path).name
        return exc.shown_as(names.get(saved, saved))
    return str(exc)


def _importer_for(folder: Path):
    name = (folder / "importer.txt").read_text(encoding="utf-8").strip()
    mapping = folder / "mapping.yaml"
    return importer_get(name, mapping=mapping if mapping.exists() else None)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started", "importer", "filename", "status", "created", "updated", "unchanged", "rejected",
                    "merged", "user"]
    list_filter = ["importer", "status", "dry_run"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]
    change_list_template = "admin/inventory/importrun/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="created")
    def created(self, obj):
        return obj.counts.get("created", 0)

    @admin.display(description="updated")
    def updated(self, obj):
        return obj.counts.get("updated", 0)

    @admin.display(description="unchanged")
    def unchanged(self, obj):
        return obj.counts.get("unchanged", 0)

    @admin.display(description="rejected")
    def rejected(self, obj):
        return obj.counts.get("rejected", 0)

    @admin.display(description="merged")
    def merged(self, obj):
        return obj.counts.get("merged", 0)

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="inventory_importrun_upload"),
            path("confirm/<str:token>/", self.admin_site.admin_view(self.confirm_view),
                 name="inventory_importrun_confirm"),
            *super().get_urls(),
        ]

    def _check(self, request):
        if not request.user.has_perm("inventory.add_entity"):
            raise PermissionDenied

    def upload_view(self, request):
        self._check(request)
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        context = {**self.admin_site.each_context(request), "form": form, "title": "Import a file",
                   "opts": self.model._meta}
        if request.method == "POST" and form.is_valid():
            token = secrets.token_urlsafe(12)
            folder = _UPLOADS / token
            folder.mkdir(parents=True, exist_ok=True)
            upload = form.cleaned_data["file"]
            target = folder / Path(upload.name).name
            with target.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            (folder / "importer.txt").write_text(form.cleaned_data["importer"], encoding="utf-8")
            if form.cleaned_data.get("mapping"):
                (folder / "mapping.yaml").write_bytes(form.cleaned_data["mapping"].read())
            try:
                importer = _importer_for(folder)
                report = source_import(importer=importer, path=target, dry_run=True, user=request.user)
            except (KeyError, ImportFileError) as exc:
                shutil.rmtree(folder, ignore_errors=True)
                mapping = form.cleaned_data.get("mapping")
                form.add_error(None, _error_text(exc, {target.name: upload.name,
                                                       "mapping.yaml": mapping.name if mapping else "mapping.yaml"}))
                return TemplateResponse(request, "admin/inventory/import_upload.html", context)
            context.update({"title": f"Preview of {target.name}", "report": report, "token": token,
                            "summary": report.summary(), "notes": report.notes[:200], "rejects": report.rejects[:200],
                            "note_counts": sorted(report.note_counts().items()), "source": importer.source})
            return TemplateResponse(request, "admin/inventory/import_preview.html", context)
        return TemplateResponse(request, "admin/inventory/import_upload.html", context)

    def confirm_view(self, request, token: str):
        self._check(request)
        folder = _UPLOADS / Path(token).name
        if request.method != "POST" or not folder.is_dir():
            messages.error(request, "That preview has expired; upload the file again.")
            return redirect(reverse("admin:inventory_importrun_upload"))
        files = [p for p in folder.iterdir() if p.name not in ("importer.txt", "mapping.yaml")]
        try:
            report = source_import(importer=_importer_for(folder), path=files[0], user=request.user)
        except (KeyError, ImportFileError, IndexError) as exc:
            shown = "the upload is incomplete; upload the file again" if isinstance(exc, IndexError) else \
                _error_text(exc, {})
            messages.error(request, f"Nothing was imported: {shown}")
            return redirect(reverse("admin:inventory_importrun_upload"))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        counts = ", ".join(f"{v} {k}" for k, v in report.summary().items())
        messages.success(request, f"Imported {files[0].name}: {counts}.")
        return redirect(reverse("admin:inventory_importrun_change", args=[report.run_id]))


@admin.register(MergeDecision)
class MergeDecisionAdmin(admin.ModelAdmin):
    list_display = ["merged", "kept", "score_shown", "status", "automatic", "decided_by", "decided_at"]
    list_filter = ["status", "automatic"]
    search_fields = ["kept__name", "merged__name", "kept__slug", "merged__slug"]
    readonly_fields = ["kept", "merged", "score_shown", "features", "status", "automatic", "undo", "decided_by",
                       "decided_at", "created"]
    exclude = ["score"]

    @admin.display(description="score", ordering="score")
    def score_shown(self, obj):
        """The match score to two decimals (0.65, not 0.6500000000000001): the thresholds are set in hundredths."""
        return f"{obj.score:.2f}"
    actions = ["accept", "reject", "unmerge"]

    def has_add_permission(self, request):
        return False

    def _apply(self, request, queryset, service, verb):
        done = 0
        for decision in queryset:
            try:
                service(decision=decision, user=request.user)
                done += 1
            except ValidationError as exc:
                messages.warning(request, f"{decision}: {'; '.join(exc.messages)}")
        if done:
            messages.success(request, f"{done} pair(s) {verb}.")

    @admin.action(description="Accept: merge the selected queued pairs", permissions=["change"])
    def accept(self, request, queryset):
        self._apply(request, queryset, merge_decision_accept, "merged")

    @admin.action(description="Reject: not the same actor", permissions=["change"])
    def reject(self, request, queryset):
        self._apply(request, queryset, merge_decision_reject, "rejected")

    @admin.action(description="Un-merge the selected merged pairs", permissions=["change"])
    def unmerge(self, request, queryset):
        self._apply(request, queryset, entity_unmerge, "un-merged")
