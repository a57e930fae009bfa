"""Curation in the admin: every model listed, searched and filtered; entities edited with their
names, locations, statuses, sources and relations inline; history with revert (django-reversion)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from reversion.admin import VersionAdmin

from . import derivation, selectors, services
from .models import Entity, EntitySource, Location, Name, Relation, Source, SourceRecord, StatusAssertion


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


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["original_lng", "original_lat", "crs", "precision", "division_code", "address_zh", "address_en",
                  "hint", "polygon", "valid_from", "valid_to", "source", "source_locator"]
        widgets = {"polygon": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("original_lng") is None and cleaned.get("original_lat") is None and not cleaned.get(
                "division_code"):
            raise ValidationError("Give the coordinates (longitude, latitude) or a GB/T 2260 division code.")
        for field in self.Meta.fields:
            if field in cleaned:
                setattr(self.instance, field, cleaned[field])
        derivation.location_derive(self.instance)
        return cleaned


class LocationInline(admin.StackedInline):
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
        return format_html('<div class="obs-map" data-lat="{}" data-lng="{}" data-precision="{}" '
                           'style="height:220px;max-width:480px"></div>', obj.lat, obj.lng, obj.precision)


class StatusInline(admin.TabularInline):
    model = StatusAssertion
    extra = 0
    autocomplete_fields = ["source"]


class EntitySourceInline(admin.TabularInline):
    model = EntitySource
    extra = 0
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
    list_display = ["name", "name_zh", "kind", "layer", "province_code", "founded", "is_public", "updated"]
    list_filter = ["layer", "kind", "is_public", "province_code"]
    search_fields = ["slug", "name", "name_zh", "name_en", "names__text", "names__pinyin"]
    readonly_fields = ["layer", "name", "name_zh", "name_en", "province_code", "created", "updated"]
    fields = ["slug", "kind", "layer", "name", "name_zh", "name_en", "website", ("founded", "founded_precision"),
              ("closed", "closed_precision"), "is_public", "merged_into", "note", "field_sources", "province_code",
              "created", "updated"]
    autocomplete_fields = ["merged_into"]
    inlines = [NameInline, LocationInline, StatusInline, EntitySourceInline, OutgoingRelationInline]
    list_per_page = 50

    class Media:
        css = {"all": ["vendor/leaflet-1.9.4/leaflet.css"]}
        js = ["vendor/leaflet-1.9.4/leaflet.js", "site/admin_map.js"]

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            results = results | selectors.entity_search_filter(queryset, search_term)
            may_have_duplicates = True
        return results, may_have_duplicates

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
    list_display = ["entity", "lat", "lng", "crs", "precision", "province_code", "prefecture_code"]
    list_filter = ["crs", "precision", "placed_at_centroid", "province_code"]
    search_fields = ["entity__name", "entity__name_zh", "address_zh", "address_en"]
    autocomplete_fields = ["entity", "source"]
    form = LocationForm


@admin.register(StatusAssertion)
class StatusAssertionAdmin(admin.ModelAdmin):
    list_display = ["entity", "value", "kind", "date", "programme", "batch", "revoked_on"]
    list_filter = ["value", "kind", "programme"]
    search_fields = ["entity__name", "entity__name_zh", "programme", "batch"]
    autocomplete_fields = ["entity", "source"]


from . import admin_imports  # noqa: E402,F401  (imports and the merge review queue)
