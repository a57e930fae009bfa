"""Curation in the admin: every model listed, searched and filtered; entities edited with their
names, locations, statuses, sources and relations inline; history with revert (django-reversion)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from reversion.admin import VersionAdmin

from observatory.validation import ADMIN_FORMFIELDS, CheckedJSONFormField

from . import derivation, selectors, services
from .importers.cleaning import address_divisions
from .models import Entity, EntitySource, Location, Name, Relation, Source, SourceRecord, StatusAssertion


def json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class NameForm(forms.ModelForm):
    class Meta:
        model = Name
        fields = ["text", "lang", "type", "valid_from", "valid_to", "source", "source_locator"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        instance = Name(text=cleaned.get("text", ""), lang=cleaned.get("lang", ""), type=cleaned.get("type", ""))
        derivation.name_derive(instance)
        self.instance.pinyin, self.instance.normalized = instance.pinyin, instance.normalized
        return cleaned


class NameInline(admin.TabularInline):
    model = Name
    form = NameForm
    extra = 0
    readonly_fields = ["pinyin"]
    autocomplete_fields = ["source"]


class OptionalJSONField(CheckedJSONFormField):
    """A JSON field whose empty value is an empty box, not the word ``null`` (and whose NaN, lone
    surrogate or deep nesting is a form error: observatory/validation.py)."""

    def prepare_value(self, value):
        return "" if value is None else super().prepare_value(value)


class LocationForm(forms.ModelForm):
    polygon = OptionalJSONField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional outline (a market, a park): a list of rings of [longitude, latitude], "
                  "e.g. [[[114.08, 22.54], [114.09, 22.54], [114.09, 22.55], [114.08, 22.54]]]. Leave empty for a point.")

    class Meta:
        model = Location
        fields = ["original_lng", "original_lat", "crs", "precision", "division_code", "address_zh", "address_en",
                  "hint", "polygon", "valid_from", "valid_to", "source", "source_locator"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not cleaned.get("division_code") and cleaned.get("address_zh"):
            # The finest division the Chinese address names (county, else prefecture, else province).
            code, _level = address_divisions(cleaned["address_zh"])
            cleaned["division_code"] = code or ""
        if cleaned.get("original_lng") is None and cleaned.get("original_lat") is None and not cleaned.get(
                "division_code"):
            raise ValidationError("Give the coordinates (longitude, latitude) or a GB/T 2260 division code.")
        for field in self.Meta.fields:
            if field in cleaned:
                setattr(self.instance, field, cleaned[field])
        derivation.location_derive(self.instance)
        return cleaned


class LocationInline(admin.StackedInline):
    formfield_overrides = ADMIN_FORMFIELDS
    model = Location
    form = LocationForm
    extra = 0
    readonly_fields = ["lng", "lat", "placed_at_centroid", "province_code", "prefecture_code", "map_preview"]
    autocomplete_fields = ["source"]

    @admin.display(description="map (WGS-84)")
    def map_preview(self, obj):
        from django.utils.html import format_html

        if obj is None or obj.lat is None:
            return "—"
        return format_html('<div class="obs-map obs-admin-map" data-lat="{}" data-lng="{}" data-precision="{}">'
                           '</div>', obj.lat, obj.lng, obj.precision)


class StatusInline(admin.TabularInline):
    model = StatusAssertion
    extra = 0
    autocomplete_fields = ["source"]


class EntitySourceFormSet(forms.BaseInlineFormSet):
    """Every fact is traceable: an entity keeps at least one source that establishes it."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [form for form in self.forms
                if form.cleaned_data.get("source") and not form.cleaned_data.get("DELETE")]
        if not kept:
            raise ValidationError("Cite at least one source that establishes this entity (the Sources rows below): "
                                  "every entity must be traceable to where it was read.")


class EntitySourceInline(admin.TabularInline):
    model = EntitySource
    formset = EntitySourceFormSet
    extra = 1
    min_num = 0
    autocomplete_fields = ["source"]


class RelationForm(forms.ModelForm):
    class Meta:
        model = Relation
        fields = ["source_entity", "type", "target_entity", "from_date", "to_date", "weight", "confidence",
                  "evidence", "source", "source_locator"]

    def clean(self):
        cleaned = super().clean()
        if self.errors or not cleaned.get("source_entity") or not cleaned.get("target_entity"):
            return cleaned
        services.relation_validate(cleaned["source_entity"], cleaned["target_entity"], cleaned.get("type", ""),
                                   cleaned.get("confidence", 1.0), cleaned.get("weight", 1.0))
        return cleaned


class OutgoingRelationInline(admin.TabularInline):
    model = Relation
    form = RelationForm
    fk_name = "source_entity"
    extra = 0
    autocomplete_fields = ["target_entity", "source"]
    verbose_name = "relation (this entity → other)"
    verbose_name_plural = "relations (this entity → other)"


@admin.register(Entity)
class EntityAdmin(VersionAdmin):
    formfield_overrides = ADMIN_FORMFIELDS
    list_display = ["name", "name_zh", "kind", "layer", "province_code", "founded", "is_public", "updated"]
    list_filter = ["layer", "kind", "is_public", "province_code"]
    # Shows the search box; the search itself is get_search_results below: the tokens of every name
    # (former ones too), their pinyin, the addresses and the slug, looked up in the token index. A
    # join to the names took 11-46 s at 50-100k entities, a LIKE over the rows 1.5-3.2 s (issue 18).
    search_fields = ["slug", "name", "name_zh", "name_en"]
    show_full_result_count = False  # a filtered page counts its matches, not also the whole table
    readonly_fields = ["layer", "name", "name_zh", "name_en", "province_code", "field_sources_table", "created",
                       "updated"]
    fields = ["slug", "kind", "layer", "name", "name_zh", "name_en", "website", ("founded", "founded_precision"),
              ("closed", "closed_precision"), "is_public", "merged_into", "note", "field_sources_table",
              "province_code", "created", "updated"]
    autocomplete_fields = ["merged_into"]
    inlines = [NameInline, LocationInline, StatusInline, EntitySourceInline, OutgoingRelationInline]
    list_per_page = 50

    class Media:
        css = {"all": ["vendor/leaflet-1.9.4/leaflet.css", "site/admin.css"]}
        js = ["vendor/leaflet-1.9.4/leaflet.js", "site/admin_map.js"]

    @admin.display(description="field sources")
    def field_sources_table(self, obj):
        """Which imported record each field value came from, as a table (kept by imports and merges)."""
        from django.utils.html import format_html, format_html_join

        if obj is None or not obj.field_sources:
            return "— (no field was set by an import: the values were entered here or come from the curated dataset)"
        rows = format_html_join("", "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                                ((field, origin if isinstance(origin, str) else json_text(origin))
                                 for field, origin in sorted(obj.field_sources.items())))
        return format_html('<table class="obs-field-sources"><thead><tr><th scope="col">field</th>'
                           '<th scope="col">from record</th></tr></thead><tbody>{}</tbody></table>', rows)

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return selectors.entity_search_filter(queryset, search_term, slug=True), False

    def save_model(self, request, obj, form, change):
        if not obj.name:
            obj.name = obj.slug
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        entity = form.instance
        if not entity.names.exists():
            Name.objects.create(entity=entity, text=entity.name or entity.slug, lang="en", type="common")
        services.entity_refresh_derived(entity)


@admin.register(Relation)
class RelationAdmin(VersionAdmin):
    form = RelationForm
    list_display = ["source_entity", "type", "target_entity", "from_date", "to_date", "confidence", "source"]
    list_filter = ["type", "source_entity__layer", "target_entity__layer"]
    search_fields = ["source_entity__name", "source_entity__name_zh", "target_entity__name", "target_entity__name_zh",
                     "evidence"]
    autocomplete_fields = ["source_entity", "target_entity", "source"]
    list_select_related = ["source_entity", "target_entity", "source"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    formfield_overrides = ADMIN_FORMFIELDS
    list_display = ["key", "title", "licence", "redistributable", "retrieved"]
    list_filter = ["redistributable", "licence"]
    search_fields = ["key", "title", "note"]


@admin.register(SourceRecord)
class SourceRecordAdmin(admin.ModelAdmin):
    list_display = ["source", "external_id", "checksum", "imported_at", "updated_at"]
    list_filter = ["source"]
    search_fields = ["external_id", "checksum"]
    readonly_fields = ["source", "external_id", "payload", "checksum", "imported_at", "updated_at"]


@admin.register(Name)
class NameAdmin(admin.ModelAdmin):
    list_display = ["text", "lang", "type", "pinyin", "entity"]
    list_filter = ["lang", "type"]
    search_fields = ["text", "pinyin", "normalized"]
    autocomplete_fields = ["entity", "source"]
    form = NameForm


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    formfield_overrides = ADMIN_FORMFIELDS
    list_display = ["entity", "lat", "lng", "crs", "precision", "province_code", "prefecture_code"]
    list_filter = ["crs", "precision", "placed_at_centroid", "province_code"]
    search_fields = ["entity__name", "entity__name_zh", "address_zh", "address_en"]
    autocomplete_fields = ["entity", "source"]
    form = LocationForm


@admin.register(StatusAssertion)
class StatusAssertionAdmin(admin.ModelAdmin):
    list_display = ["entity", "value", "kind", "date", "programme", "batch", "revoked_on", "origin", "confidence",
                    "rule"]
    list_filter = ["value", "kind", "origin", "programme"]
    search_fields = ["entity__name", "entity__name_zh", "programme", "batch"]
    autocomplete_fields = ["entity", "source"]


from . import admin_imports  # noqa: E402,F401  (imports and the merge review queue)
