"""The blog's local comment-spam filter: rules, a learning classifier, readers and evaluation.

Pure Python (NumPy only, no Django), so it can be tested and measured alone; the Django layer
stores the model (:meth:`SpamClassifier.to_bytes`), calls :func:`check_rules` and
:meth:`SpamClassifier.score` on each comment, and :meth:`SpamClassifier.learn` on each
moderation decision. Design and measured figures: ``docs/spam.md``.
"""

from .classifier import (
    HAM,
    MODERATE,
    SPAM,
    ModelFormatError,
    Score,
    SpamClassifier,
    choose_target_fpr,
    choose_thresholds,
)
from .evaluation import binary_metrics, evaluate, evaluate_repeated, main
from .features import comment_links, feature_hash, find_links, markup_links, normalise, text_features
from .readers import (
    ACCEPTED_FORMATS,
    LabelledMessage,
    SpamDataError,
    read_labelled,
    read_sms_tsv,
    read_youtube_csv,
)
from .rules import (
    CommentLimits,
    InMemoryRateLimiter,
    RateLimiter,
    RuleHit,
    check_rules,
    count_links,
    hash_ip,
)

__all__ = [
    "ACCEPTED_FORMATS",
    "HAM",
    "MODERATE",
    "SPAM",
    "CommentLimits",
    "InMemoryRateLimiter",
    "LabelledMessage",
    "ModelFormatError",
    "RateLimiter",
    "RuleHit",
    "Score",
    "SpamClassifier",
    "SpamDataError",
    "binary_metrics",
    "check_rules",
    "comment_links",
    "choose_target_fpr",
    "choose_thresholds",
    "count_links",
    "evaluate",
    "evaluate_repeated",
    "feature_hash",
    "find_links",
    "hash_ip",
    "main",
    "markup_links",
    "normalise",
    "read_labelled",
    "read_sms_tsv",
    "read_youtube_csv",
    "text_features",
]
