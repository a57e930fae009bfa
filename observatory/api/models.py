"""API tokens: a curator's key for the writing endpoints. Only a hash of the token is stored; the
token itself is shown once, when it is created."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, help_text="What the token is for, e.g. 'importer on lab PC'")
    prefix = models.CharField(max_length=12, db_index=True, editable=False, help_text="First characters, to tell tokens apart")
    key_hash = models.CharField(max_length=64, unique=True, editable=False, help_text="sha256 of the token")
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user}{', revoked' if self.revoked else ''})"
