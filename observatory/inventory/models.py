"""The inventory data model (docs/data-format.md and docs/architecture.md).

Writes go through :mod:`observatory.inventory.services`, which validate, derive (pinyin, WGS-84
points, division codes, search tokens) and record history; the database constraints below guard
the invariants even against code that bypasses the services.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from observatory.china.names import is_chinese_language
from observatory.validation import CheckedFieldsMixin, csl_check, polygon_check

from .dates import format_fuzzy_date, parse_fuzzy_date
from .lifecycle import StatusAssertionQuerySet
from .taxonomy import (
    CRS_CHOICES,
    DATE_PRECISIONS,
    KIND_CHOICES,
    LAYERS,
    NAME_LANGUAGES,
    NAME_TYPES,
    PRECISION_CHOICES,
    RELATION_CHOICES,
    STATUS_KINDS,
    STATUS_ORIGINS,
    STATUS_VALUES,
)


class Source(CheckedFieldsMixin, models.Model):
    """A bibliographic item (CSL-JSON): a dataset, publication, web page or interview."""

    key = models.SlugField(max_length=100, unique=True, help_text="Citation key, e.g. keane2012")
    csl = models.JSONField(default=dict, help_text="CSL-JSON item (type, title, author, issued, ...)")
    title = models.CharField(max_length=500, blank=True, editable=False)
    licence = models.CharField(max_length=100, blank=True)
    redistributable = models.BooleanField(
        default=False, help_text="May records derived from this source be published in exports?"
    )
    retrieved = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    # The admin's form: an object of clean values (the services also require a title).
    field_checks = {"csl": partial(csl_check, title_required=False)}

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}: {self.title}" if self.title else self.key

    def save(self, *args, **kwargs):
        self.title = str(self.csl.get("title", ""))[:500] if isinstance(self.csl, dict) else ""
        super().save(*args, **kwargs)


class SourceRecord(models.Model):
    """The raw payload of one imported row or feature, kept so nothing is lost."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="records")
    external_id = models.CharField(
        max_length=300, help_text="The source's identifier, or row:N / feature:N (0-based)"
    )
    payload = models.JSONField(default=dict)
    checksum = models.CharField(max_length=64, help_text="sha256 of the canonical JSON payload")
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="record_one_external_id_per_source")
        ]
        ordering = ["source", "id"]

    def __str__(self) -> str:
        return f"{self.source.key}#{self.external_id}"


def display_name(name: str, name_zh: str, language: str | None, *, name_en: str = "") -> str:
    """The name an entity is shown by to a reader of ``language``: its Chinese name on Chinese pages,
    else its English name, falling back on its display name ``name`` (English, else Chinese:
    derivation.entity_derived_fields). The one naming rule of the atlas's pages, the network
    explorer and the analyses' figures."""
    if _chinese(language):
        return name_zh or name
    return name_en or name


def other_name(name: str, name_zh: str, language: str | None, *, name_en: str | None = None) -> str:
    """The name written in brackets after :func:`display_name`: the entity's English name on Chinese
    pages, its Chinese name on the others; "" unless it has both and they differ. ``name_en=None``
    is for callers that keep only ``name`` and ``name_zh`` (the network graph, an analysis run's
    nodes): ``name`` is then the English name when it differs from the Chinese one."""
    if name_en is None:
        name_en = name if name != name_zh else ""
    if not name_zh or not name_en or name_zh == name_en:
        return ""
    return name_en if _chinese(language) else name_zh


def _chinese(language: str | None) -> bool:
    return is_chinese_language(language)


class EntityQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True, merged_into__isnull=True)


class Entity(CheckedFieldsMixin, models.Model):
    """One actor: a place, an organization, a community, an event or a project."""

    slug = models.SlugField(max_length=120, unique=True, help_text="Stable identifier, e.g. chaihuo-makerspace")
    kind = models.CharField(max_length=40, choices=KIND_CHOICES, db_index=True)
    layer = models.CharField(max_length=20, choices=LAYERS, db_index=True, editable=False)
    name = models.CharField(max_length=300, help_text="Display name (derived from the names)")
    name_zh = models.CharField(max_length=300, blank=True, editable=False)
    name_en = models.CharField(max_length=300, blank=True, editable=False)
    website = models.URLField(max_length=500, blank=True)
    founded = models.DateField(null=True, blank=True)
    founded_precision = models.CharField(max_length=10, choices=DATE_PRECISIONS, blank=True)
    closed = models.DateField(null=True, blank=True)
    closed_precision = models.CharField(max_length=10, choices=DATE_PRECISIONS, blank=True)
    is_public = models.BooleanField(default=True, help_text="Shown on public pages, the API and exports")
    note = models.TextField(blank=True, help_text="Curator's note (not published)")
    # Per-field provenance: {"website": "ananse2016#row:12", "founded": "keane2012#p. 220", ...}
    field_sources = models.JSONField(default=dict, blank=True)
    sources = models.ManyToManyField(Source, through="EntitySource", related_name="entities", blank=True)
    records = models.ManyToManyField(SourceRecord, related_name="entities", blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_entities"
    )
    search_text = models.TextField(blank=True, editable=False)
    province_code = models.CharField(max_length=6, blank=True, db_index=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="entity_name_not_empty"),
            models.CheckConstraint(
                condition=Q(closed__isnull=True) | Q(founded__isnull=True) | Q(closed__gte=F("founded")),
                name="entity_closed_after_founded",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("site:entity", args=[self.slug])


class EntitySource(CheckedFieldsMixin, models.Model):
    """A source that establishes an entity, with the locator (row, feature, page)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    locator = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "source", "locator"], name="entity_source_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source.key}#{self.locator}" if self.locator else self.source.key


class SourcedModel(CheckedFieldsMixin, models.Model):
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_locator = models.CharField(max_length=200, blank=True)
    record = models.ForeignKey(SourceRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        abstract = True


class Name(SourcedModel):
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="names")
    text = models.CharField(max_length=300)
    lang = models.CharField(max_length=10, choices=NAME_LANGUAGES)
    type = models.CharField(max_length=20, choices=NAME_TYPES, default="official")
    pinyin = models.CharField(max_length=600, blank=True, editable=False)
    normalized = models.CharField(max_length=300, blank=True, editable=False, db_index=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["entity", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="name_text_not_empty"),
            models.UniqueConstraint(fields=["entity", "text", "lang", "type"], name="name_unique_per_entity"),
        ]

    def __str__(self) -> str:
        return self.text


class Location(SourcedModel):
    """Where an entity is: original coordinates in their system, and the WGS-84 point derived."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="locations")
    original_lng = models.FloatField(null=True, blank=True)
    original_lat = models.FloatField(null=True, blank=True)
    crs = models.CharField(max_length=10, choices=CRS_CHOICES, default="WGS-84")
    lng = models.FloatField(null=True, blank=True, editable=False, help_text="WGS-84, derived")
    lat = models.FloatField(null=True, blank=True, editable=False, help_text="WGS-84, derived")
    precision = models.CharField(max_length=10, choices=PRECISION_CHOICES, default="exact")
    placed_at_centroid = models.BooleanField(
        default=False, editable=False, help_text="No coordinates in the source: placed at the division's centroid"
    )
    polygon = models.JSONField(null=True, blank=True, help_text="Original outline: list of [lng, lat] rings")
    polygon_wgs84 = models.JSONField(null=True, blank=True, editable=False)
    address_zh = models.CharField(max_length=500, blank=True)
    address_en = models.CharField(max_length=500, blank=True)
    hint = models.CharField(max_length=300, blank=True, help_text="Floor, stall, building")
    division_code = models.CharField(max_length=6, blank=True, help_text="Finest known GB/T 2260 division")
    province_code = models.CharField(max_length=6, blank=True, db_index=True, editable=False)
    prefecture_code = models.CharField(max_length=6, blank=True, db_index=True, editable=False)
    county_code = models.CharField(max_length=6, blank=True, editable=False)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    field_checks = {"polygon": polygon_check}

    class Meta:
        ordering = ["entity", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(original_lat__isnull=True) | Q(original_lat__gte=-90, original_lat__lte=90),
                name="location_original_lat_range",
            ),
            models.CheckConstraint(
                condition=Q(original_lng__isnull=True) | Q(original_lng__gte=-180, original_lng__lte=180),
                name="location_original_lng_range",
            ),
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90), name="location_lat_range"
            ),
            models.CheckConstraint(
                condition=Q(lng__isnull=True) | Q(lng__gte=-180, lng__lte=180), name="location_lng_range"
            ),
            models.CheckConstraint(
                condition=Q(original_lat__isnull=True, original_lng__isnull=True)
                | Q(original_lat__isnull=False, original_lng__isnull=False),
                name="location_coordinates_paired",
            ),
            models.CheckConstraint(condition=Q(crs__in=["WGS-84", "GCJ-02", "BD-09"]), name="location_crs_known"),
        ]

    def __str__(self) -> str:
        if self.lat is None:
            return f"{self.entity} ({self.precision}, no point)"
        return f"{self.entity} @ {self.lat:.5f}, {self.lng:.5f} ({self.precision})"


class StatusAssertion(SourcedModel):
    """A dated, sourced statement about an entity's status, including official accreditation."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="statuses")
    value = models.CharField(max_length=20, choices=STATUS_VALUES)
    kind = models.CharField(max_length=30, choices=STATUS_KINDS)
    date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=10, choices=DATE_PRECISIONS, blank=True)
    programme = models.CharField(max_length=200, blank=True, help_text="e.g. 国家备案众创空间")
    batch = models.CharField(max_length=100, blank=True)
    revoked_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    origin = models.CharField(max_length=20, choices=STATUS_ORIGINS, default="document")
    confidence = models.FloatField(
        null=True, blank=True, help_text="0-1, for statuses inferred from observations; empty for documents"
    )
    rule = models.CharField(max_length=100, blank=True, help_text="the inference rule that gave an inferred status")

    objects = StatusAssertionQuerySet.as_manager()

    class Meta:
        ordering = ["entity", F("date").asc(nulls_first=True), "id"]  # lifecycle.HISTORY_ORDER
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1),
                name="status_confidence_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity}: {self.value} ({self.kind})"

    def clean(self) -> None:
        """A date is stored as the first day of its period (2011 → 2011-01-01, 2011-05 → 2011-05-01),
        as the importers and services parse it: an edit that gives another day with a coarser
        precision keeps the period, not the day (the document, the API and the page write the period)."""
        super().clean()
        if self.date is not None and self.date_precision:
            self.date = parse_fuzzy_date(format_fuzzy_date(self.date, self.date_precision))[0]


class RelationQuerySet(models.QuerySet):
    def public(self):
        """Relations whose two ends are public and not merged away (tested on the joined ends: an
        IN over the public entities' ids would build that whole set for each query)."""
        return self.filter(source_entity__is_public=True, source_entity__merged_into__isnull=True,
                           target_entity__is_public=True, target_entity__merged_into__isnull=True)


class Relation(SourcedModel):
    """A typed, directed tie: read as "source_entity <type> target_entity"."""

    source_entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="relations_out")
    target_entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="relations_in")
    type = models.CharField(max_length=30, choices=RELATION_CHOICES, db_index=True)
    from_date = models.DateField(null=True, blank=True)
    from_precision = models.CharField(max_length=10, choices=DATE_PRECISIONS, blank=True)
    to_date = models.DateField(null=True, blank=True)
    to_precision = models.CharField(max_length=10, choices=DATE_PRECISIONS, blank=True)
    weight = models.FloatField(default=1.0)
    confidence = models.FloatField(default=1.0)
    evidence = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = RelationQuerySet.as_manager()

    class Meta:
        ordering = ["source_entity", "type", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(source_entity=F("target_entity")), name="relation_no_self_tie"),
            models.CheckConstraint(condition=Q(confidence__gte=0, confidence__lte=1), name="relation_confidence_0_1"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="relation_weight_non_negative"),
            models.UniqueConstraint(
                fields=["source_entity", "type", "target_entity", "source"], name="relation_unique_per_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_entity} —{self.get_type_display()}→ {self.target_entity}"


class CuratedLoad(models.Model):
    """The fingerprint of the last curated folder loaded, so a second `make demo` is a no-op."""

    path = models.CharField(max_length=500, unique=True)
    fingerprint = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)
    summary = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.path


class ImportRun(models.Model):
    """One run of an importer over a file: what it did, row by row (observatory.inventory.importers)."""

    importer = models.CharField(max_length=60)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_runs")
    filename = models.CharField(max_length=500)
    file_checksum = models.CharField(max_length=64, blank=True, help_text="sha256 of the file's bytes")
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=20, default="done", help_text="done, dry-run or failed")
    counts = models.JSONField(default=dict, help_text="created / updated / unchanged / rejected / merged")
    rejects = models.JSONField(default=list, help_text="one item per rejected row: locator, line, field, value, reason")
    notes = models.JSONField(default=list, help_text="cleaning notes per row (what was repaired and how)")
    error = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    started = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started"]

    def __str__(self) -> str:
        return f"{self.importer} {self.filename} ({self.started:%Y-%m-%d %H:%M})"


class MergeDecision(models.Model):
    """A candidate pair found by entity resolution, and what became of it.

    ``queued`` pairs wait for a curator (admin review queue); ``merged`` pairs were merged
    (automatically above the upper threshold, or accepted by a curator); ``rejected`` pairs are
    not the same actor and are never proposed again; ``unmerged`` pairs were merged and undone.
    ``undo`` holds what the merge changed, so that un-merging restores both entities exactly.
    """

    STATUSES = [("queued", "queued for review"), ("merged", "merged"), ("rejected", "rejected"),
                ("unmerged", "un-merged")]

    kept = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="merge_decisions_kept")
    merged = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="merge_decisions_merged")
    score = models.FloatField()
    features = models.JSONField(default=dict, help_text="the similarity of each feature that made the score")
    status = models.CharField(max_length=10, choices=STATUSES, default="queued", db_index=True)
    automatic = models.BooleanField(default=False)
    undo = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kept", "merged"], name="merge_decision_one_per_pair"),
            models.CheckConstraint(condition=~Q(kept=F("merged")), name="merge_decision_two_entities"),
        ]

    def __str__(self) -> str:
        return f"{self.merged} → {self.kept} ({self.status}, {self.score:.2f})"
