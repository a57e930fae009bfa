from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from reversion.admin import VersionAdmin

from observatory.inventory.admin import EntityAdmin
from observatory.inventory.models import Entity

from .models import Code, Codebook, Coding, Document, Excerpt


class CodingForm(forms.ModelForm):
    class Meta:
        model = Coding
        fields = ["entity", "code", "source", "source_locator", "quote", "excerpt", "confidence", "coded_on", "note"]

    def clean(self):
        cleaned = super().clean()
        code = cleaned.get("code")
        if code is not None and code.parent_id is None:
            raise ValidationError({"code": f"{code.path!r} is a dimension; choose one of its codes"})
        if not cleaned.get("source") and not cleaned.get("excerpt"):
            raise ValidationError("A coding needs evidence: a source (with the quoted passage) or an excerpt.")
        return cleaned


class CodingInline(admin.TabularInline):
    model = Coding
    form = CodingForm
    fk_name = "entity"
    extra = 0
    autocomplete_fields = ["code", "source", "excerpt"]
    fields = ["code", "source", "source_locator", "quote", "confidence", "coded_on"]


class EntityWithCodingsAdmin(EntityAdmin):
    inlines = [*EntityAdmin.inlines, CodingInline]


admin.site.unregister(Entity)
admin.site.register(Entity, EntityWithCodingsAdmin)


class CodeInline(admin.TabularInline):
    model = Code
    extra = 0
    fields = ["path", "label_en", "label_zh", "definition", "order"]
    show_change_link = True


@admin.register(Codebook)
class CodebookAdmin(admin.ModelAdmin):
    list_display = ["title_en", "key", "version", "is_default", "created"]
    inlines = [CodeInline]


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    list_display = ["path", "label_en", "label_zh", "codebook"]
    list_filter = ["codebook"]
    search_fields = ["path", "label_en", "label_zh", "definition"]


@admin.register(Coding)
class CodingAdmin(VersionAdmin):
    form = CodingForm
    list_display = ["entity", "code", "confidence", "source", "coder", "coded_on"]
    list_filter = ["code__codebook", "code__parent"]
    search_fields = ["entity__name", "entity__name_zh", "code__path", "quote"]
    autocomplete_fields = ["entity", "code", "source", "excerpt"]
    list_select_related = ["entity", "code", "source", "coder"]

    def save_model(self, request, obj, form, change):
        if not change and obj.coder_id is None:
            obj.coder = request.user
        super().save_model(request, obj, form, change)


class ExcerptInline(admin.TabularInline):
    model = Excerpt
    extra = 0
    readonly_fields = ["text"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "entity", "date", "is_public"]
    list_filter = ["kind", "is_public"]
    search_fields = ["title", "text"]
    autocomplete_fields = ["entity", "source"]
    inlines = [ExcerptInline]


@admin.register(Excerpt)
class ExcerptAdmin(admin.ModelAdmin):
    list_display = ["document", "start", "end", "text"]
    search_fields = ["text", "document__title"]
