"""API tokens: create, authenticate, revoke."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from .models import ApiToken

__all__ = ["token_authenticate", "token_create", "token_hash", "user_is_curator"]

TOKEN_PREFIX = "obs_"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_create(*, user, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; returns (record, token). The token is not stored, only its hash."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(user=user, name=name, prefix=token[:12], key_hash=token_hash(token))
    return record, token


def token_authenticate(token: str) -> ApiToken | None:
    """The live token record for ``token``, or None; records the time of use."""
    if not token or len(token) > 200:
        return None
    record = ApiToken.objects.select_related("user").filter(key_hash=token_hash(token), revoked=False).first()
    if record is None or not record.user.is_active:
        return None
    now = timezone.now()
    if record.last_used is None or (now - record.last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=record.pk).update(last_used=now)
    return record


def user_is_curator(user) -> bool:
    """Curators are the users who may change inventory and coding records."""
    return bool(user and user.is_active and (user.is_superuser or (
        user.has_perm("inventory.change_entity") and user.has_perm("coding.change_coding"))))
