"""Writes of the blog: posts (render, validate, import from files), comments (submit, moderate),
the stored spam classifier, and BibTeX import of sources."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify

from . import conf
from .models import LANGUAGES, Comment, Post, SpamModelState, Tag
from .rendering import comment_render, markdown_render
from .spam import HAM, SPAM, CommentLimits, SpamClassifier, check_rules, hash_ip

logger = logging.getLogger(__name__)

__all__ = [
    "CommentRejected", "CommentResult", "CacheRateLimiter", "classifier_load", "classifier_save",
    "comment_moderate", "comment_submit", "email_hash", "ip_hash", "post_render", "post_save", "post_validate",
    "posts_import", "sources_import_bibtex",
]

FRONT_MATTER_FIELDS = {"title", "slug", "language", "lang", "translation_of", "authors", "tags", "status",
                       "date", "publish_date", "published_at", "summary", "comments"}
COMMENT_LIMITS = CommentLimits()
FORBIDDEN_MARKUP = re.compile(r"<\s*/?\s*(script|iframe|object|embed|style|svg|form|meta|link)\b|javascript\s*:|"
                              r"\bon[a-z]+\s*=", re.I)


# --------------------------------------------------------------------------------------------- hashing

def _secret(purpose: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), purpose.encode("ascii"), hashlib.sha256).digest()


def email_hash(email: str) -> str:
    return hmac.new(_secret("blog.email"), email.strip().casefold().encode("utf-8"), hashlib.sha256).hexdigest()


def ip_hash(address: str) -> str:
    """HMAC of the address (IPv6 cut to its /64) under a key derived from SECRET_KEY; never the raw address."""
    try:
        return hash_ip(address or "", _secret("blog.ip"))
    except ValueError:
        return hmac.new(_secret("blog.ip"), b"unknown", hashlib.sha256).hexdigest()


def user_agent_hash(user_agent: str) -> str:
    return hmac.new(_secret("blog.ua"), (user_agent or "")[:500].encode("utf-8"), hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------------------------- posts

def post_render(post: Post) -> list[str]:
    """Render the Markdown into ``body_html``; return (and keep) the warnings."""
    from django.utils import translation

    with translation.override(post.language or "en"):  # headings and embed captions in the post's language
        rendered = markdown_render(post.body_markdown, style=conf.citation_style())
    post.body_html = rendered.html
    post.render_warnings = rendered.warnings
    post.rendered_at = timezone.now()
    post._pinned_run_ids = rendered.run_ids
    return rendered.warnings


def data_changed_at() -> dt.datetime | None:
    """The last change of what embeds show: an entity, a relation or an analysis run."""
    from django.db.models import Max

    from observatory.analysis.models import AnalysisRun
    from observatory.inventory.models import Entity, Relation

    moments = [Entity.objects.aggregate(m=Max("updated"))["m"], Relation.objects.aggregate(m=Max("updated"))["m"],
               AnalysisRun.objects.aggregate(m=Max("started"))["m"], AnalysisRun.objects.aggregate(m=Max("finished"))["m"]]
    moments = [m for m in moments if m is not None]
    return max(moments) if moments else None


def post_refresh(post: Post) -> Post:
    """Re-render a post whose embeds may be out of date (entity cards, maps, the "current version"
    link of a pinned figure); pinned figures and tables keep their run. Warnings that appear (an
    embedded entity was removed) are shown, never hidden."""
    changed = data_changed_at()
    if post.rendered_at is not None and (changed is None or changed <= post.rendered_at):
        return post
    post_render(post)
    Post.objects.filter(pk=post.pk).update(body_html=post.body_html, render_warnings=post.render_warnings,
                                           rendered_at=post.rendered_at)
    return post


def post_validate(post: Post) -> None:
    """A post that is (or will be) published must have no unresolved citation or embed."""
    if post.status != Post.DRAFT:
        if post.published_at is None:
            raise ValidationError({"published_at": "A published or scheduled post needs a publication date."})
        if post.render_warnings:
            raise ValidationError({"body_markdown": [f"Cannot publish: {w}" for w in post.render_warnings]})


@transaction.atomic
def post_save(post: Post, *, tags: list[str] | None = None) -> Post:
    """Render, validate (publishing refuses unresolved citations or embeds) and save a post."""
    post_render(post)
    post_validate(post)
    post.save()
    if tags is not None:
        post.tags.set(tag_get_or_create(name) for name in tags)
    run_ids = getattr(post, "_pinned_run_ids", [])
    post.pinned_runs.set(run_ids)
    if post.translation_of_id and post.translation_of.translation_of_id is None:
        Post.objects.filter(pk=post.translation_of_id).update(translation_of=post)
    return post


def tag_get_or_create(name: str) -> Tag:
    slug = slugify(name, allow_unicode=True) or hashlib.sha1(name.encode()).hexdigest()[:8]
    tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
    return tag


class PostFileError(ValueError):
    pass


def _when(value, path: Path) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(9, 0))
    else:
        moment = parse_datetime(str(value))
        if moment is None:
            day = parse_date(str(value))
            if day is None:
                raise PostFileError(f"{path}: date {value!r} is not a date; use 2024-05-01 or 2024-05-01T09:00")
            moment = dt.datetime.combine(day, dt.time(9, 0))
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _list(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def posts_import(directory: Path, *, dry_run: bool = False) -> ImportReport:
    """Import every ``*.md`` of ``directory`` (front matter + Markdown); idempotent by file checksum.

    Translations are linked in a second pass, so the order of the files does not matter.
    """
    report = ImportReport()
    files = sorted(p for p in Path(directory).rglob("*.md") if not p.name.startswith(("_", ".")))
    parsed = []
    for path in files:
        raw = path.read_bytes()
        try:
            document = frontmatter.loads(raw.decode("utf-8"))
        except Exception as error:  # noqa: BLE001 - YAML errors come in many classes
            report.errors.append(f"{path}: front matter cannot be read ({error})")
            continue
        meta = document.metadata
        unknown = sorted(set(meta) - FRONT_MATTER_FIELDS)
        if unknown:
            report.errors.append(f"{path}: unknown front-matter field(s) {', '.join(unknown)}; accepted: "
                                 f"{', '.join(sorted(FRONT_MATTER_FIELDS))}")
            continue
        if not meta.get("title"):
            report.errors.append(f"{path}: the front matter needs a title")
            continue
        language = str(meta.get("language") or meta.get("lang") or "en").lower()
        if language not in dict(LANGUAGES):
            report.errors.append(f"{path}: language {language!r}; accepted: {', '.join(dict(LANGUAGES))}")
            continue
        status = str(meta.get("status") or "published").lower()
        if status not in dict(Post.STATUSES):
            report.errors.append(f"{path}: status {status!r}; accepted: draft, scheduled, published")
            continue
        try:
            when = _when(meta.get("date") or meta.get("publish_date") or meta.get("published_at"), path)
        except PostFileError as error:
            report.errors.append(str(error))
            continue
        slug = str(meta.get("slug") or slugify(path.stem))
        parsed.append((path, hashlib.sha256(raw).hexdigest(), slug, meta, document.content, language, status, when))
    if dry_run:
        return report
    for path, checksum, slug, meta, content, language, status, when in parsed:
        existing = Post.objects.filter(slug=slug).first()
        if existing and existing.source_checksum == checksum:
            report.unchanged.append(slug)
            continue
        post = existing or Post(slug=slug)
        post.title = str(meta["title"])
        post.language, post.status, post.published_at = language, status, when
        post.summary = str(meta.get("summary") or "")
        post.author_names = _list(meta.get("authors"))
        post.body_markdown = content
        post.comments_open = bool(meta.get("comments", True))
        post.source_path = str(path)
        post.source_checksum = checksum
        try:
            post_save(post, tags=_list(meta.get("tags")))
        except ValidationError as error:
            messages = "; ".join(error.messages)
            report.errors.append(f"{path}: {messages}")
            continue
        (report.updated if existing else report.created).append(slug)
    # second pass: link translations both ways
    for path, _checksum, slug, meta, *_rest in parsed:
        target = str(meta.get("translation_of") or "")
        if not target:
            continue
        post, other = Post.objects.filter(slug=slug).first(), Post.objects.filter(slug=target).first()
        if post and other is None:
            report.errors.append(f"{path}: translation_of {target!r} is not the slug of any post")
        if post and other:
            if post.translation_of_id != other.pk:
                Post.objects.filter(pk=post.pk).update(translation_of=other)
            if other.translation_of_id is None:
                Post.objects.filter(pk=other.pk).update(translation_of=post)
    return report


# --------------------------------------------------------------------------------------------- classifier

_CLASSIFIER_CACHE: dict = {}


def classifier_load() -> SpamClassifier:
    """The stored classifier (a fresh, untrained one when none is stored: it holds every comment)."""
    state = SpamModelState.objects.filter(name="default").only("pk", "updated").first()
    if state is None:
        return SpamClassifier(bits=18)
    cached = _CLASSIFIER_CACHE.get("default")
    if cached and cached[0] == (state.pk, state.updated):
        return cached[1]
    model = SpamClassifier.from_bytes(bytes(SpamModelState.objects.get(pk=state.pk).data))
    _CLASSIFIER_CACHE["default"] = ((state.pk, state.updated), model)
    return model


def classifier_save(model: SpamClassifier, *, decisions: int = 0) -> SpamModelState:
    state, _ = SpamModelState.objects.get_or_create(name="default", defaults={"data": b""})
    state.data = model.to_bytes()
    state.decisions += decisions
    state.save()
    _CLASSIFIER_CACHE.pop("default", None)
    return state


def classifier_train(texts: list[str], labels: list[bool], groups: list[object]) -> SpamClassifier:
    """A new classifier calibrated and trained on labelled comments, stored as the blog's model."""
    model = SpamClassifier(bits=18)
    if len(set(groups)) >= 2:
        # fpr_limit as `observatory spam evaluate` uses it: the margin measured on the worst left-out file
        # (docs/spam.md, "The margin is measured, not fixed").
        model.calibrate(texts, labels, groups, fpr_limit=0.01)
    model.fit(texts, labels)
    classifier_save(model)
    return model


# --------------------------------------------------------------------------------------------- comments

class CacheRateLimiter:
    """The spam package's RateLimiter over the Django cache (shared by every worker when the cache
    is Redis): a sliding window counter with two fixed-window counters per key."""

    def __init__(self, *, limit: int, window_seconds: int, prefix: str = "blog:rate"):
        self.limit, self.window, self.prefix = limit, window_seconds, prefix

    def allow(self, key: str, now: float) -> bool:
        from django.core.cache import cache

        window = int(now // self.window)
        current_key, previous_key = f"{self.prefix}:{key}:{window}", f"{self.prefix}:{key}:{window - 1}"
        counts = cache.get_many([current_key, previous_key])
        overlap = 1.0 - (now / self.window - window)
        estimate = counts.get(previous_key, 0) * overlap + counts.get(current_key, 0)
        if estimate + 1 > self.limit:
            return False
        if cache.add(current_key, 1, timeout=self.window * 2):
            return True
        try:
            cache.incr(current_key)
        except ValueError:
            cache.set(current_key, 1, timeout=self.window * 2)
        return True


class CommentRejected(Exception):
    """The comment is refused; ``message`` says why, in the reader's words."""

    def __init__(self, message: str, *, rule: str = ""):
        super().__init__(message)
        self.message, self.rule = message, rule


@dataclass
class CommentResult:
    comment: Comment
    message: str


_REJECTIONS = {
    "honeypot": "Your comment could not be accepted (a field meant to stay empty was filled).",
    "rate": "Too many comments from your address in a short time. Please wait a few minutes and try again.",
}


def comment_submit(*, post: Post, name: str, email: str, body: str, website: str = "", parent: Comment | None = None,
                   honeypot: str = "", rendered_at: float | None = None, ip: str = "", user_agent: str = "",
                   now: float | None = None) -> CommentResult:
    """Judge and store a reader's comment: rules, then the classifier, then the moderation policy.

    Hard rules (honeypot, length, rate per hashed address, forbidden markup) raise
    :class:`CommentRejected` and store nothing. First-time commenters are held (pending);
    returning approved commenters are published when the classifier says ham; the classifier's
    spam decision files the comment as spam (kept for the moderators, never shown).
    """
    now = time.time() if now is None else now
    if not post.is_live or not post.comments_open:
        raise CommentRejected("Comments are closed on this post.", rule="closed")
    if parent is not None and (parent.post_id != post.pk or parent.status != Comment.APPROVED):
        raise CommentRejected("The comment you replied to is not available.", rule="parent")
    if FORBIDDEN_MARKUP.search(body) or FORBIDDEN_MARKUP.search(name):
        raise CommentRejected("Comments are plain text (Markdown allowed): HTML such as <script>, <iframe> or "
                              "event handlers is not accepted. Remove it and send again.", rule="markup")
    rate_key = ip_hash(ip)
    count, seconds = conf.rate_limit()
    hits = check_rules(body, honeypot=honeypot, rendered_at=rendered_at, submitted_at=now, limits=COMMENT_LIMITS,
                       rate_limiter=CacheRateLimiter(limit=count, window_seconds=seconds), rate_key=rate_key)
    hard = [hit for hit in hits if hit.hard]
    if hard:
        hit = hard[0]
        raise CommentRejected(_REJECTIONS.get(hit.rule, f"Your comment could not be accepted: {hit.detail}."),
                              rule=hit.rule)
    email_key = email_hash(email)
    domain = email.rsplit("@", 1)[-1].lower()
    model = classifier_load()
    score = model.score(body, author=name, url=website or None, email_domain=domain)
    decision = score.decision
    akismet_spam = _akismet_check(post=post, name=name, email=email, website=website, body=body, ip=ip,
                                  user_agent=user_agent)
    if akismet_spam:
        decision = SPAM
    returning = Comment.objects.filter(email_hash=email_key, status=Comment.APPROVED).exists()
    soft = [hit for hit in hits if not hit.hard]
    if decision == SPAM:
        status = Comment.SPAM
    elif decision == HAM and returning and not soft:
        status = Comment.APPROVED
    else:
        status = Comment.PENDING
    explanation = {"probability": round(score.probability, 4), "decision": score.decision,
                   "features": [list(f) for f in score.features], "rules": [h.rule for h in soft],
                   "returning": returning, "akismet": akismet_spam}
    comment = Comment.objects.create(
        post=post, parent=parent, author_name=name.strip()[:100], author_email=email.strip(), email_hash=email_key,
        author_website=website.strip(), body=body, body_html=comment_render(body), status=status, ip_hash=rate_key,
        user_agent_hash=user_agent_hash(user_agent), spam_score=score.probability, spam_explanation=explanation)
    if status == Comment.PENDING:
        _notify(comment)
        message = "Thank you. Your comment is held for moderation and will appear once a moderator approves it."
    elif status == Comment.APPROVED:
        message = "Thank you. Your comment is published."
    else:
        message = "Thank you. Your comment is held for review."
    return CommentResult(comment=comment, message=message)


def _akismet_check(*, post, name, email, website, body, ip, user_agent) -> bool | None:
    key = conf.akismet_key()
    if not key:
        return None
    from .akismet import AkismetClient

    client = AkismetClient(key=key, blog_url=settings.SITE_URL)
    return client.comment_check(user_ip=ip, user_agent=user_agent, author=name, email=email, url=website,
                                content=body, permalink=settings.SITE_URL.rstrip("/") + post.get_absolute_url())


def _notify(comment: Comment) -> None:
    if not conf.notify_authors():
        return
    recipients = [u.email for u in comment.post.authors.all() if u.email]
    if not recipients:
        return
    try:
        send_mail(subject=f"[Observatory] A comment waits for moderation on “{comment.post.title}”",
                  message=(f"{comment.author_name} commented on {comment.post.title}:\n\n{comment.body[:2000]}\n\n"
                           f"Moderate: {settings.SITE_URL.rstrip('/')}/admin/blog/comment/?status__exact=pending\n"),
                  from_email=None, recipient_list=recipients, fail_silently=True)
    except Exception:  # noqa: BLE001 - a mail server problem must not lose the comment
        logger.warning("comment notification could not be sent", exc_info=True)


ACTIONS = {"approve": Comment.APPROVED, "spam": Comment.SPAM, "trash": Comment.TRASH, "pending": Comment.PENDING}


@transaction.atomic
def comment_moderate(*, comments, action: str, user=None) -> int:
    """Set the status of comments; approving teaches the classifier "ham", marking spam "spam"."""
    if action not in ACTIONS:
        raise ValueError(f"unknown moderation action {action!r}; accepted: {', '.join(ACTIONS)}")
    status = ACTIONS[action]
    model, learnt, changed = None, 0, 0
    for comment in comments:
        if comment.status == status:
            continue
        if status in (Comment.APPROVED, Comment.SPAM):
            model = model or classifier_load()
            model.learn(comment.body, status == Comment.SPAM, author=comment.author_name,
                        url=comment.author_website or None,
                        email_domain=comment.author_email.rsplit("@", 1)[-1].lower())
            learnt += 1
        comment.status = status
        comment.moderated_at = timezone.now()
        comment.moderated_by = user if user is not None and user.is_authenticated else None
        comment.save(update_fields=["status", "moderated_at", "moderated_by"])
        changed += 1
    if model is not None and learnt:
        classifier_save(model, decisions=learnt)
    return changed


# --------------------------------------------------------------------------------------------- sources

_BIBTEX_TYPES = {"article": "article-journal", "book": "book", "incollection": "chapter", "inbook": "chapter",
                 "inproceedings": "paper-conference", "conference": "paper-conference", "phdthesis": "thesis",
                 "mastersthesis": "thesis", "techreport": "report", "misc": "document", "online": "webpage",
                 "manual": "book", "unpublished": "manuscript"}


def _bibtex_names(value: str) -> list[dict]:
    names = []
    for part in re.split(r"\s+and\s+", value.strip()):
        part = part.strip().strip("{}")
        if not part:
            continue
        if "," in part:
            family, given = (p.strip() for p in part.split(",", 1))
        elif " " in part:
            given, family = part.rsplit(" ", 1)
        else:
            names.append({"literal": part})
            continue
        names.append({"family": family.strip("{}"), "given": given.strip("{}")})
    return names


def bibtex_entry_to_csl(entry: dict) -> dict:
    def text(name):
        return re.sub(r"[{}]", "", entry.get(name, "")).strip()

    csl: dict = {"type": _BIBTEX_TYPES.get(entry.get("ENTRYTYPE", "misc").lower(), "document"), "title": text("title")}
    if entry.get("author"):
        csl["author"] = _bibtex_names(entry["author"])
    if entry.get("editor"):
        csl["editor"] = _bibtex_names(entry["editor"])
    year = text("year")
    if year[:4].isdigit():
        csl["issued"] = {"date-parts": [[int(year[:4])]]}
    for bib, field_name in (("journal", "container-title"), ("booktitle", "container-title"),
                            ("publisher", "publisher"), ("address", "publisher-place"), ("volume", "volume"),
                            ("number", "issue"), ("pages", "page"), ("doi", "DOI"), ("url", "URL"),
                            ("isbn", "ISBN"), ("school", "publisher"), ("institution", "publisher")):
        if text(bib) and field_name not in csl:
            csl[field_name] = text(bib).replace("--", "-") if bib == "pages" else text(bib)
    return csl


def sources_import_bibtex(text: str, *, dry_run: bool = False) -> dict[str, list[str]]:
    """Create or update a Source per BibTeX entry (key = the BibTeX key, lower-cased)."""
    import bibtexparser
    from bibtexparser.bparser import BibTexParser

    from observatory.inventory.services import source_upsert

    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False)
    database = bibtexparser.loads(text, parser=parser)
    report: dict[str, list[str]] = {"imported": [], "skipped": []}
    for entry in database.entries:
        key = slugify(entry.get("ID", "")).lower()
        csl = bibtex_entry_to_csl(entry)
        if not key or not csl.get("title"):
            report["skipped"].append(f"{entry.get('ID', '?')}: an entry needs a key and a title")
            continue
        if not dry_run:
            from observatory.inventory.models import Source

            existing = Source.objects.filter(key=key).first()
            kept = ({"licence": existing.licence, "redistributable": existing.redistributable, "note": existing.note,
                     "retrieved": existing.retrieved} if existing else {})
            source_upsert(key=key, csl=csl, **kept)
        report["imported"].append(key)
    return report
