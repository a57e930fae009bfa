"""The liveness census: runs, and the dated observations they make of each entity's web presence.

Observations are evidence and are never edited; the statuses inferred from them are written to
``inventory.StatusAssertion`` with ``origin="census"`` beside the curated ones (services.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from observatory.inventory.models import Entity

TARGET_KINDS = [
    ("website", _("website")),
    ("spaceapi", _("SpaceAPI endpoint")),
    ("feed", _("feed (RSS or Atom)")),
    ("repository", _("code repository")),
]
ERRORS = [
    ("", _("none")),
    ("dns", _("DNS failure")),
    ("refused", _("connection refused")),
    ("connection", _("connection failed")),
    ("tls", _("TLS failure")),
    ("timeout", _("timeout")),
    ("too_many_redirects", _("too many redirects")),
    ("robots", _("disallowed by robots.txt")),
    ("too_large", _("body over the size cap")),
    ("invalid", _("answer not valid for its kind")),
    ("protocol", _("HTTP protocol error")),
]
OUTCOMES = [
    ("alive", _("alive: answered on its own domain")),
    ("moved", _("moved: answered on another domain")),
    ("parked", _("parked or for sale")),
    ("gone", _("gone: 404, 410 or no DNS name")),
    ("failed", _("failed: no usable answer")),
    ("skipped", _("skipped: robots.txt")),
]


class CensusRun(models.Model):
    """One run of ``observatory census``: its selection, its progress and its totals."""

    STATUSES = [("running", "running"), ("done", "done"), ("interrupted", "interrupted")]

    started = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=STATUSES, default="running")
    options = models.JSONField(default=dict, help_text="the selectors and settings the run was started with")
    total = models.PositiveIntegerField(default=0, help_text="targets selected")
    done = models.PositiveIntegerField(default=0, help_text="targets observed (kept up to date during the run)")
    counts = models.JSONField(default=dict, help_text="observations by outcome, and statuses inferred")
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started"]

    def __str__(self) -> str:
        return f"census run {self.pk} ({self.status}, {self.done}/{self.total})"


class Observation(models.Model):
    """What one fetch of one of an entity's addresses showed, on one date."""

    run = models.ForeignKey(CensusRun, on_delete=models.CASCADE, related_name="observations")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="observations")
    kind = models.CharField(max_length=12, choices=TARGET_KINDS)
    url = models.CharField(max_length=1000)
    observed_at = models.DateTimeField(db_index=True)
    outcome = models.CharField(max_length=12, db_index=True, choices=OUTCOMES,
                               help_text="what the observation says of the address (fetch.outcome_of)")
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.CharField(max_length=1000, blank=True)
    left_domain = models.BooleanField(default=False, help_text="the redirects ended on another domain")
    redirects = models.JSONField(default=list, blank=True, help_text="each hop: [status, location]")
    error = models.CharField(max_length=20, choices=ERRORS, blank=True)
    error_detail = models.CharField(max_length=300, blank=True)
    parked = models.BooleanField(default=False, help_text="a parked or for-sale domain page")
    title = models.CharField(max_length=300, blank=True)
    last_modified = models.DateTimeField(null=True, blank=True)
    feed_newest = models.DateTimeField(null=True, blank=True, help_text="the newest item of a feed")
    spaceapi_version = models.CharField(max_length=4, blank=True)
    spaceapi_open = models.BooleanField(null=True, blank=True)
    spaceapi_lastchange = models.DateTimeField(null=True, blank=True)
    repository_last_commit = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    elapsed_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["entity", "-observed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "entity", "kind", "url"], name="observation_once_per_run"),
        ]
        indexes = [models.Index(fields=["entity", "observed_at"], name="observation_entity_when")]

    def __str__(self) -> str:
        return f"{self.entity} {self.kind} {self.url}: {self.outcome} ({self.observed_at:%Y-%m-%d})"
