"""Codebook (dimensions and codes, hierarchical, versioned) and codings with evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from observatory.inventory.models import Entity, Source
from observatory.validation import CheckedFieldsMixin


class Codebook(models.Model):
    key = models.SlugField(max_length=100)
    version = models.CharField(max_length=20)
    title_en = models.CharField(max_length=300)
    title_zh = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key", "version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="codebook_key_version_unique")]

    def __str__(self) -> str:
        return f"{self.title_en} v{self.version}"


class Code(models.Model):
    """A dimension (no parent) or a code; ``path`` is ``dimension.code[.child]``."""

    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="codes")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    path = models.CharField(max_length=200)
    key = models.SlugField(max_length=100)
    label_en = models.CharField(max_length=200)
    label_zh = models.CharField(max_length=200, blank=True)
    definition = models.TextField()
    examples = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["codebook", "order"]
        constraints = [models.UniqueConstraint(fields=["codebook", "path"], name="code_path_unique_in_codebook")]

    def __str__(self) -> str:
        return f"{self.path} — {self.label_en}"

    @property
    def is_dimension(self) -> bool:
        return self.parent_id is None

    @property
    def dimension_key(self) -> str:
        return self.path.split(".", 1)[0]


class Document(CheckedFieldsMixin, models.Model):
    """A field note, interview transcript or document that codings can quote."""

    KINDS = [("field_note", "field note"), ("interview", "interview"), ("document", "document")]
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=KINDS, default="field_note")
    text = models.TextField()
    entity = models.ForeignKey(Entity, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    date = models.DateField(null=True, blank=True)
    is_public = models.BooleanField(default=False, help_text="Field notes stay private unless marked public")

    def __str__(self) -> str:
        return self.title


class Excerpt(CheckedFieldsMixin, models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="excerpts")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField(editable=False)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="excerpt_non_empty")]

    def __str__(self) -> str:
        return self.text[:80]

    def save(self, *args, **kwargs):
        self.text = self.document.text[self.start:self.end]
        super().save(*args, **kwargs)


class CodingQuerySet(models.QuerySet):
    def public(self):
        """Codings a reader may see: those with a source, or with an excerpt of a public document
        (a coding whose only evidence is an excerpt of a private field note stays private with it).
        The entity document's statement (observatory/coding/entity_document.py) embeds the SQL the
        ORM writes for it."""
        return self.filter(Q(source__isnull=False) | Q(excerpt__document__is_public=True))


class Coding(CheckedFieldsMixin, models.Model):
    """Entity × code, with evidence (an excerpt of a document, or a source and a quotation)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="codings")
    code = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="codings")
    excerpt = models.ForeignKey(Excerpt, null=True, blank=True, on_delete=models.PROTECT, related_name="codings")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="codings")
    source_locator = models.CharField(max_length=200, blank=True)
    quote = models.TextField(blank=True, help_text="The passage of the source that supports the code")
    confidence = models.FloatField(default=1.0)
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    coder_name = models.CharField(max_length=100, blank=True, help_text="For codings loaded from files")
    coded_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = CodingQuerySet.as_manager()

    class Meta:
        ordering = ["entity", "code__path"]
        constraints = [
            models.CheckConstraint(condition=Q(confidence__gte=0, confidence__lte=1), name="coding_confidence_0_1"),
            models.CheckConstraint(
                condition=Q(excerpt__isnull=False) | Q(source__isnull=False), name="coding_has_evidence"
            ),
            models.UniqueConstraint(fields=["entity", "code", "source"], name="coding_unique_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.entity} · {self.code.path}"
