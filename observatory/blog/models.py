"""The research blog: posts (Markdown with citations and embeds), reader comments, moderation.

Writes go through :mod:`observatory.blog.services`; the comment's e-mail is stored for the
moderators and the "returning commenter" rule, and never rendered on any public page, feed,
API answer or export.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]


class Tag(models.Model):
    slug = models.SlugField(max_length=80, unique=True, allow_unicode=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("blog:tag", args=[self.slug])


class PostQuerySet(models.QuerySet):
    def published(self):
        """Published posts and scheduled posts whose time has come."""
        now = timezone.now()
        return self.filter(Q(status=Post.PUBLISHED) | Q(status=Post.SCHEDULED), published_at__lte=now)


class Post(models.Model):
    DRAFT, SCHEDULED, PUBLISHED = "draft", "scheduled", "published"
    STATUSES = [(DRAFT, "draft"), (SCHEDULED, "scheduled"), (PUBLISHED, "published")]

    slug = models.SlugField(max_length=160, unique=True)
    title = models.CharField(max_length=300)
    language = models.CharField(max_length=10, choices=LANGUAGES, default="en", db_index=True)
    translation_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="translations",
        help_text="The post this one translates (the pair is shown linked both ways)")
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="posts")
    author_names = models.JSONField(default=list, blank=True, help_text="Authors as written in the front matter")
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    status = models.CharField(max_length=10, choices=STATUSES, default=DRAFT, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True,
                                        help_text="Publication time (in the future for a scheduled post)")
    summary = models.TextField(blank=True, help_text="One paragraph for lists, feeds and Open Graph")
    body_markdown = models.TextField(blank=True)
    body_html = models.TextField(blank=True, editable=False, help_text="Rendered, sanitised HTML (cache)")
    render_warnings = models.JSONField(default=list, blank=True, editable=False)
    rendered_at = models.DateTimeField(null=True, blank=True, editable=False,
                                       help_text="When body_html was rendered (re-rendered when the data is newer)")
    source_path = models.CharField(max_length=500, blank=True, help_text="content/posts file it was imported from")
    source_checksum = models.CharField(max_length=64, blank=True, editable=False)
    pinned_runs = models.ManyToManyField("analysis.AnalysisRun", blank=True, related_name="+",
                                         help_text="Analysis runs whose figures or tables the post embeds")
    comments_open = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="post_title_not_empty"),
            models.CheckConstraint(condition=Q(status="draft") | Q(published_at__isnull=False),
                                   name="post_published_has_date"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("blog:post", args=[self.slug])

    @property
    def is_live(self) -> bool:
        return self.status != self.DRAFT and self.published_at is not None and self.published_at <= timezone.now()

    def translation_pairs(self) -> list[Post]:
        """The other-language versions of this post (both directions of the link)."""
        found = {p.pk: p for p in self.translations.all()}
        if self.translation_of_id:
            found.setdefault(self.translation_of_id, self.translation_of)
        return [p for p in found.values() if p.pk != self.pk]


class Comment(models.Model):
    PENDING, APPROVED, SPAM, TRASH = "pending", "approved", "spam", "trash"
    STATUSES = [(PENDING, "pending"), (APPROVED, "approved"), (SPAM, "spam"), (TRASH, "trash")]

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author_name = models.CharField(max_length=100)
    # Private: shown to moderators in the admin only, never on a public page, feed, API answer or export.
    author_email = models.EmailField(max_length=254)
    email_hash = models.CharField(max_length=64, db_index=True, editable=False,
                                  help_text="HMAC of the normalised e-mail: recognises returning commenters")
    author_website = models.URLField(max_length=300, blank=True)
    body = models.TextField()
    body_html = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING, db_index=True)
    ip_hash = models.CharField(max_length=64, blank=True, editable=False, help_text="HMAC of the address (never raw)")
    user_agent_hash = models.CharField(max_length=64, blank=True, editable=False)
    spam_score = models.FloatField(null=True, blank=True, editable=False)
    spam_explanation = models.JSONField(default=dict, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "approved", "spam", "trash"]),
                                   name="comment_status_known"),
        ]

    def __str__(self) -> str:
        return f"{self.author_name} on {self.post} ({self.status})"


class SpamModelState(models.Model):
    """The stored comment classifier (observatory.blog.spam.SpamClassifier.to_bytes)."""

    name = models.CharField(max_length=40, unique=True, default="default")
    data = models.BinaryField()
    decisions = models.PositiveIntegerField(default=0, help_text="Moderation decisions learnt since creation")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "spam classifier state"

    def __str__(self) -> str:
        return f"spam classifier {self.name} ({self.decisions} decisions)"
