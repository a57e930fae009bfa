from __future__ import annotations

import time

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

SALT = "blog.comment-form"
MAX_BODY = 5000


def form_timestamp() -> str:
    return signing.dumps(time.time(), salt=SALT)


def timestamp_read(value: str) -> float | None:
    """The time the form was shown, or None when the signed field is missing or forged."""
    try:
        return float(signing.loads(value or "", salt=SALT, max_age=7 * 86400))
    except (signing.BadSignature, TypeError, ValueError):
        return None


class CommentForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Name"))
    email = forms.EmailField(max_length=254, label=_("E-mail (never shown)"),
                             help_text=_("Required, never published. Used only to recognise returning commenters."))
    website = forms.URLField(max_length=300, required=False, label=_("Website (optional)"), assume_scheme="https")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=MAX_BODY, label=_("Comment"),
                           help_text=_("Plain text or Markdown; links are marked nofollow."))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Honeypot: hidden from people by CSS and aria-hidden; bots fill it.
    homepage_url = forms.CharField(required=False, label=_("Leave this field empty"))
    shown = forms.CharField(widget=forms.HiddenInput)

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("The comment is empty."))
        return body
