"""Personas and shared fixtures: the anonymous reader, the curator and the admin."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from hypothesis import HealthCheck, settings

# The suite runs on two shared cores beside other workers and databases: how long one example
# takes says nothing about the code, so Hypothesis' timing checks (deadline, slow generation) are
# off for every property test; the properties themselves are unchanged.
settings.register_profile("observatory", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("observatory")

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Every test starts with no cached page or answer and no remembered data signature, whatever
    the previous test in this process left (the page cache is keyed by data, not by test)."""
    from django.core.cache import caches

    from observatory.pagecache import data_signature_reset

    caches["pages"].clear()
    caches["default"].clear()  # rate-limit counts and login attempts
    data_signature_reset()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request through the test client leaves the
    page's language active in the thread (LocaleMiddleware activates it and nothing resets it), so a
    test after one that read a Chinese page would otherwise draw and translate in Chinese."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def reader(client):
    """An anonymous reader of the public site."""
    return client


@pytest.fixture
def curator_user(db):
    user = get_user_model().objects.create_user("curator", password="curator-password-1", is_staff=True)
    group, _ = Group.objects.get_or_create(name="curators")
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=["inventory", "coding"]))
    user.groups.add(group)
    return user


@pytest.fixture
def curator(client, curator_user):
    """A curator: staff, may add and change inventory and coding records, not users."""
    client.force_login(curator_user)
    return client


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("admin", email="", password="admin-password-1")


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def mini_dataset(db):
    """A small real curated folder (tests/fixtures/curated-mini), loaded."""
    from observatory.coding.dataset import dataset_load

    return dataset_load(FIXTURES / "curated-mini", codebook_path=FIXTURES / "curated-mini" / "codebook.yaml")
