"""Blog admin: posts with a live preview (and publish-time validation), the comment moderation
queue with bulk actions that teach the spam classifier."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from observatory.validation import ADMIN_FORMFIELDS

from . import services
from .models import Comment, Post, SpamModelState, Tag


class PostAdminForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["title", "slug", "language", "translation_of", "status", "published_at", "summary",
                  "body_markdown", "authors", "author_names", "tags", "comments_open"]
        widgets = {"body_markdown": forms.Textarea(attrs={"rows": 30, "cols": 100, "data-blog-preview": "1"})}

    def clean(self):
        cleaned = super().clean()
        post = self.instance
        for name in ("status", "published_at", "body_markdown"):
            if name in cleaned:
                setattr(post, name, cleaned[name])
        services.post_render(post)
        try:
            services.post_validate(post)
        except ValidationError as error:
            raise ValidationError(error.message_dict if hasattr(error, "message_dict") else error.messages) from None
        return cleaned


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    formfield_overrides = ADMIN_FORMFIELDS
    form = PostAdminForm
    list_display = ("title", "language", "status", "published_at", "warning_count", "comment_count")
    list_filter = ("status", "language", "tags")
    search_fields = ("title", "slug", "summary", "body_markdown")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("tags", "authors")
    autocomplete_fields = ("translation_of",)
    readonly_fields = ("rendered_preview", "source_path", "created", "updated")
    fieldsets = (
        (None, {"fields": ("title", "slug", "language", "translation_of", "status", "published_at", "summary")}),
        ("Body", {"fields": ("body_markdown", "rendered_preview"),
                  "description": "Markdown. Citations: [@key], [@key, p. 12], [@a; @b]. Embeds: "
                                 "{{< entity slug >}}, {{< map kind=makerspace province=440000 >}}, "
                                 "{{< network layer=virtual >}}, {{< figure run=12 name=... >}}, "
                                 "{{< table run=12 key=... >}}. The preview below updates as you type."}),
        ("People and tags", {"fields": ("authors", "author_names", "tags", "comments_open")}),
        ("Provenance", {"fields": ("source_path", "created", "updated"), "classes": ("collapse",)}),
    )

    class Media:
        js = ("blog/admin_preview.js",)
        css = {"all": ("blog/blog.css",)}

    @admin.display(description="warnings")
    def warning_count(self, post):
        return len(post.render_warnings or [])

    @admin.display(description="comments")
    def comment_count(self, post):
        return post.comments.count()

    @admin.display(description="Preview")
    def rendered_preview(self, post):
        warnings = format_html_join("", '<p class="render-warning">⚠ {}</p>', ((w,) for w in post.render_warnings or []))
        # body_html is the sanitised output of observatory.blog.rendering.
        return format_html('<div id="blog-preview-warnings">{}</div><div id="blog-preview" class="post-body">{}</div>',
                           warnings, mark_safe(post.body_html))  # noqa: S308

    def save_model(self, request, obj, form, change):
        services.post_save(obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.post_save(form.instance)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The moderation queue: pending first; bulk approve / spam / trash (approve and spam teach the classifier)."""

    list_display = ("author_name", "author_email", "post", "status", "short_body", "spam_score", "created")
    list_filter = ("status", "post")
    search_fields = ("author_name", "body")
    readonly_fields = ("post", "parent", "author_name", "author_email", "author_website", "body", "status",
                       "spam_score", "explanation", "created", "moderated_at", "moderated_by")
    exclude = ("spam_explanation", "ip_hash", "user_agent_hash", "email_hash", "body_html")
    actions = ["approve", "mark_spam", "trash", "unapprove"]
    date_hierarchy = "created"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("post")

    def has_add_permission(self, request):
        return False

    @admin.display(description="comment")
    def short_body(self, comment):
        return comment.body[:120]

    @admin.display(description="why")
    def explanation(self, comment):
        data = comment.spam_explanation or {}
        features = ", ".join(f"{name} ({weight:+.2f})" for name, weight in data.get("features", [])[:8])
        return (f"p(spam)={data.get('probability')} → {data.get('decision')}; rules: "
                f"{', '.join(data.get('rules', [])) or 'none'}; returning commenter: {data.get('returning')}; "
                f"features: {features or 'none'}")

    def _moderate(self, request, queryset, action, label):
        count = services.comment_moderate(comments=list(queryset), action=action, user=request.user)
        self.message_user(request, f"{count} comment(s) {label}.", messages.SUCCESS)

    @admin.action(description="Approve (and teach the filter: not spam)", permissions=["change"])
    def approve(self, request, queryset):
        self._moderate(request, queryset, "approve", "approved")

    @admin.action(description="Mark as spam (and teach the filter)", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, "spam", "marked as spam")

    @admin.action(description="Move to trash", permissions=["change"])
    def trash(self, request, queryset):
        self._moderate(request, queryset, "trash", "moved to trash")

    @admin.action(description="Back to pending", permissions=["change"])
    def unapprove(self, request, queryset):
        self._moderate(request, queryset, "pending", "set back to pending")


@admin.register(SpamModelState)
class SpamModelStateAdmin(admin.ModelAdmin):
    list_display = ("name", "decisions", "updated")
    readonly_fields = ("name", "decisions", "updated")
    exclude = ("data",)

    def has_add_permission(self, request):
        return False
