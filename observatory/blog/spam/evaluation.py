"""Measure the spam classifier on labelled files: ``evaluate`` and the ``spam evaluate`` command.

Protocol
--------
A fresh :class:`~.classifier.SpamClassifier` is calibrated and trained on the training files
only, then scores every test message once; the test messages never influence a threshold or a
parameter. Calibration (the two thresholds) uses out-of-fold probabilities *within* the training
data, in folds that imitate the test:

* a test file: one fold per training file when there are several (so, as in the test, each
  message is scored by a model that has not seen its source), otherwise five consecutive blocks;
* ``split`` without ``shuffle``: the first share of the messages, in file order, trains and the
  rest tests; five consecutive blocks of the training part (or one per file);
* ``split`` with ``shuffle`` (a seed): the messages of all files are pooled and split at random,
  stratified by class (each class keeps its share on both sides); five random folds of the
  training part, stratified the same way and drawn from the same seed.

Two readings of "predicted spam" are reported, because the decision is three-way:

``spam_decision``
    predicted spam = decision ``spam`` (rejected without a human). Its false-positive rate is
    the share of legitimate comments lost, the figure the issue caps at 1 %.
``caught_or_held``
    predicted spam = decision ``spam`` or ``moderate`` (not published unseen). Its recall is the
    share of spam that never reaches readers; its false-positive rate is the share of
    legitimate comments delayed for a moderator, not lost.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

import numpy as np

from .classifier import HAM, MODERATE, SPAM, SpamClassifier
from .readers import LabelledMessage, SpamDataError, read_labelled

__all__ = ["binary_metrics", "evaluate", "evaluate_repeated", "main", "stratified_folds", "stratified_split"]

CALIBRATION_BLOCKS = 5
# the target for the spam decision
TARGET_F1 = 0.95
TARGET_FPR = 0.01


def binary_metrics(predicted: Sequence[bool], actual: Sequence[bool]) -> dict[str, float | int]:
    """Precision, recall, F1, false-positive rate and the confusion counts (spam = positive).

    A ratio whose denominator is zero is reported as 0.0.
    """
    p = np.asarray(predicted, dtype=bool)
    y = np.asarray(actual, dtype=bool)
    tp, fp = int((p & y).sum()), int((p & ~y).sum())
    fn, tn = int((~p & y).sum()), int((~p & ~y).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "false_positive_rate": round(fp / (fp + tn) if fp + tn else 0.0, 4),
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
    }


def stratified_split(
    labels: Sequence[bool] | np.ndarray, share: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(train, test)``: ``share`` of each class, drawn at random, trains; both sorted.

    >>> train, test = stratified_split([True] * 10 + [False] * 30, 0.8, np.random.default_rng(0))
    >>> len(train), len(test), int((test < 10).sum())
    (32, 8, 2)
    """
    flags = np.asarray(labels, dtype=bool)
    train: list[np.ndarray] = []
    for value in (True, False):
        members = rng.permutation(np.flatnonzero(flags == value))
        train.append(members[: round(share * len(members))])
    chosen = np.zeros(len(flags), dtype=bool)
    chosen[np.concatenate(train)] = True
    return np.flatnonzero(chosen), np.flatnonzero(~chosen)


def stratified_folds(labels: Sequence[bool] | np.ndarray, k: int, rng: np.random.Generator) -> list[int]:
    """A fold number in ``0..k-1`` for each label, at random, each class spread evenly over the folds."""
    flags = np.asarray(labels, dtype=bool)
    folds = np.empty(len(flags), dtype=np.int64)
    for value in (True, False):
        members = rng.permutation(np.flatnonzero(flags == value))
        folds[members] = np.arange(len(members)) % k
    return folds.tolist()


def _counts(messages: Sequence[LabelledMessage]) -> dict[str, int]:
    spam = sum(m.is_spam for m in messages)
    return {"messages": len(messages), "spam": spam, "ham": len(messages) - spam}


def evaluate(
    train_paths: Sequence[str | os.PathLike[str]],
    test_path: str | os.PathLike[str] | None = None,
    *,
    split: float | None = None,
    target_fpr: float = 0.005,
    target_miss: float = 0.05,
    seed: int = 0,
    fpr_limit: float | None = 0.01,
    shuffle: int | None = None,
) -> dict:
    """Train on ``train_paths``, test on ``test_path``, and return the figures as a dict.

    With ``test_path=None`` and ``split`` (e.g. 0.8), the training files' messages, in file
    order, are split by position: the first ``split`` share trains, the rest tests. With
    ``shuffle`` (a seed) as well, they are split at random instead, stratified by class (see the
    module docstring); ``seed`` is the model's own shuffling seed, as always.
    ``target_fpr``, ``target_miss`` and ``fpr_limit`` go to :meth:`SpamClassifier.calibrate`
    (``fpr_limit=None`` keeps ``target_fpr`` fixed).

    The result holds ``train``/``test`` (files and class counts), ``thresholds``,
    ``decisions`` (how many test messages got each decision), ``spam_decision`` and
    ``caught_or_held`` (see the module docstring), each from :func:`binary_metrics`.
    """
    if not train_paths:
        raise ValueError("at least one training file is needed")
    per_file = [read_labelled(path) for path in train_paths]
    if test_path is not None:
        if split is not None:
            raise ValueError("give a test file or a split, not both")
        train = [m for messages in per_file for m in messages]
        test = read_labelled(test_path)
        groups: list[object] = [i for i, messages in enumerate(per_file) for _ in messages]
        test_description: dict = {"file": str(test_path)}
    else:
        if split is None or not 0.0 < split < 1.0:
            raise ValueError("without a test file, give a split between 0 and 1 (e.g. 0.8)")
        everything = [m for messages in per_file for m in messages]
        if shuffle is None:
            cut = round(split * len(everything))
            train, test = everything[:cut], everything[cut:]
            groups = [i for i, messages in enumerate(per_file) for _ in messages][:cut]
            test_description = {
                "split": f"messages {cut + 1}-{len(everything)} of the training files, by position"
            }
        else:
            rng = np.random.default_rng(shuffle)
            flags = np.asarray([m.is_spam for m in everything])
            train_index, test_index = stratified_split(flags, split, rng)
            train = [everything[i] for i in train_index]
            test = [everything[i] for i in test_index]
            groups = stratified_folds(flags[train_index], CALIBRATION_BLOCKS, rng)
            test_description = {
                "split": (
                    f"{len(test)} of the {len(everything)} messages of the training files, drawn at "
                    f"random with seed {shuffle}, stratified by class"
                )
            }
        if not train or not test:
            raise ValueError(f"a split of {split} leaves nothing to train or to test on")
    if len(set(groups)) < 2:
        groups = [i * CALIBRATION_BLOCKS // len(train) for i in range(len(train))]
    # else: one group per training file, or (shuffle) random stratified folds
    texts = [m.text for m in train]
    labels = [m.is_spam for m in train]
    if all(labels) or not any(labels):
        raise ValueError("the training messages must include both spam and legitimate ones")

    classifier = SpamClassifier(seed=seed)
    calibration = classifier.calibrate(
        texts, labels, groups, target_fpr=target_fpr, target_miss=target_miss, fpr_limit=fpr_limit
    )
    classifier.fit(texts, labels)
    decisions = [classifier.decide(classifier.probability(m.text)) for m in test]
    actual = [m.is_spam for m in test]
    return {
        "train": {"files": [str(p) for p in train_paths], **_counts(train)},
        "test": {**test_description, **_counts(test)},
        "features": "message text only (no author)",
        "thresholds": {"ham_below": calibration["ham_threshold"], "spam_from": calibration["spam_threshold"]},
        "calibration": calibration,
        "decisions": {d: decisions.count(d) for d in (SPAM, MODERATE, HAM)},
        "spam_decision": binary_metrics([d == SPAM for d in decisions], actual),
        "caught_or_held": binary_metrics([d != HAM for d in decisions], actual),
    }


def _mean_interval(values: Sequence[float]) -> dict[str, float]:
    """Mean and two-sided 95 % Student t interval of independent values (one per split)."""
    data = np.asarray(values, dtype=float)
    mean = float(data.mean())
    if len(data) < 2:
        return {"mean": round(mean, 4), "low": round(mean, 4), "high": round(mean, 4)}
    from scipy.stats import t as student  # only the evaluation needs it; the filter itself is NumPy

    t = float(student.ppf(0.975, len(data) - 1))
    half = t * float(data.std(ddof=1)) / len(data) ** 0.5
    return {"mean": round(mean, 4), "low": round(mean - half, 4), "high": round(mean + half, 4)}


def evaluate_repeated(
    train_paths: Sequence[str | os.PathLike[str]],
    *,
    split: float,
    repeat: int,
    first_shuffle: int = 0,
    progress=None,
    **options,
) -> dict:
    """:func:`evaluate` on ``repeat`` random stratified splits, seeds ``first_shuffle`` onwards,
    and what they say together about one held-out split drawn at random.

    One 20 % split of a small corpus tests a few hundred comments, so its figures move by a
    comment or two from one draw to the next (one legitimate comment of 151 is 0.66 %). The
    ``summary`` gives the mean F1 and false-positive rate of the spam decision over the splits,
    each with a 95 % Student t interval (the splits are independent draws), the confusion counts
    summed over all splits, and how many splits meet the target on their own. ``target.met`` is
    true when the whole interval of the F1 is at or above 0.95 and the whole interval of the
    false-positive rate at or below 1 %. ``progress(done, total)`` is called after each split.
    """
    if repeat < 1:
        raise ValueError(f"--repeat must be at least 1, not {repeat}")
    runs = []
    for number in range(repeat):
        runs.append(evaluate(train_paths, split=split, shuffle=first_shuffle + number, **options))
        if progress is not None:
            progress(number + 1, repeat)
    decisions = [run["spam_decision"] for run in runs]
    f1 = _mean_interval([d["f1"] for d in decisions])
    fpr = _mean_interval([d["false_positive_rate"] for d in decisions])
    summed = {key: sum(d[key] for d in decisions) for key in ("tp", "fp", "tn", "fn")}
    meeting = sum(d["f1"] >= TARGET_F1 and d["false_positive_rate"] <= TARGET_FPR for d in decisions)
    return {
        "train": {"files": [str(p) for p in train_paths]},
        "protocol": (f"{repeat} random splits stratified by class, {split:g} trains and the rest tests, "
                     f"seeds {first_shuffle}-{first_shuffle + repeat - 1}"),
        "splits": [{"shuffle": first_shuffle + i, "test": run["test"], "thresholds": run["thresholds"],
                    "spam_decision": run["spam_decision"], "caught_or_held": run["caught_or_held"]}
                   for i, run in enumerate(runs)],
        "summary": {
            "spam_decision": {
                "f1": f1, "false_positive_rate": fpr, **summed,
                "legitimate_lost": f"{summed['fp']} of {summed['fp'] + summed['tn']}",
            },
            "caught_or_held_recall": _mean_interval([run["caught_or_held"]["recall"] for run in runs]),
        },
        "target": {
            "f1_at_least": TARGET_F1, "false_positive_rate_at_most": TARGET_FPR,
            "met": f1["low"] >= TARGET_F1 and fpr["high"] <= TARGET_FPR,
            "splits_meeting_it": f"{meeting} of {repeat}",
        },
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="observatory spam",
        description="The local spam classifier of the blog's comments.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    evaluate_parser = commands.add_parser(
        "evaluate",
        help="train on labelled files, test on another, print the figures as JSON",
        description=(
            "Train a fresh classifier on the --train files (thresholds by cross-validation inside "
            "them) and report precision, recall, F1 and false-positive rate on the --test file, or "
            "on the last part of the training messages with --split. Files are YouTube Spam "
            "Collection CSV or SMS Spam Collection TSV, recognised by content."
        ),
    )
    evaluate_parser.add_argument(
        "--train", nargs="+", required=True, metavar="FILE", help="labelled training files"
    )
    held_out = evaluate_parser.add_mutually_exclusive_group(required=True)
    held_out.add_argument("--test", metavar="FILE", help="labelled test file")
    held_out.add_argument(
        "--split",
        type=float,
        metavar="SHARE",
        help="instead of --test: train on the first SHARE of the training messages (e.g. 0.8), test on the rest",
    )
    evaluate_parser.add_argument(
        "--shuffle",
        type=int,
        metavar="SEED",
        help=(
            "with --split: pool the files' messages and split them at random, stratified by class, "
            "with this seed (calibration folds are then random and stratified too); "
            "without it the split is by position"
        ),
    )
    evaluate_parser.add_argument(
        "--repeat",
        type=int,
        metavar="N",
        help=(
            "with --split and --shuffle SEED: run N random splits, seeds SEED to SEED+N-1, and add a "
            "summary: mean F1 and false-positive rate with 95 %% intervals, and whether the target "
            "(F1 >= 0.95, FPR <= 1 %%) holds over the whole interval"
        ),
    )
    evaluate_parser.add_argument(
        "--target-fpr",
        type=float,
        default=0.005,
        help="share of legitimate training comments allowed at or above the spam threshold (default 0.005)",
    )
    evaluate_parser.add_argument(
        "--target-miss",
        type=float,
        default=0.05,
        help="share of training spam allowed below the ham threshold (default 0.05)",
    )
    evaluate_parser.add_argument(
        "--fpr-limit",
        type=float,
        default=0.01,
        help=(
            "raise --target-fpr up to this share while cross-validation over the training files "
            "keeps every left-out file's false-positive rate within it; 0 keeps "
            "--target-fpr fixed (default 0.01)"
        ),
    )
    return parser


def _progress(done: int, total: int) -> None:
    """A one-line counter on standard error, so the JSON on standard output stays clean."""
    width = 30
    filled = width * done // total
    end = "\n" if done == total else ""
    print(f"\rsplits [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``observatory spam COMMAND``; return the exit status (0 done, 2 bad input)."""
    parser = _parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exit_:  # argparse has printed the usage error
        return int(exit_.code or 0)
    if args.shuffle is not None and args.split is None:
        print("observatory spam evaluate: --shuffle goes with --split, not with --test", file=sys.stderr)
        return 2
    if args.repeat is not None and (args.split is None or args.shuffle is None):
        print("observatory spam evaluate: --repeat goes with --split and --shuffle SEED (the first seed)",
              file=sys.stderr)
        return 2
    options = {"target_fpr": args.target_fpr, "target_miss": args.target_miss, "fpr_limit": args.fpr_limit or None}
    try:
        if args.repeat is not None:
            result = evaluate_repeated(args.train, split=args.split, repeat=args.repeat,
                                       first_shuffle=args.shuffle, progress=_progress, **options)
        else:
            result = evaluate(args.train, args.test, split=args.split, shuffle=args.shuffle, **options)
    except SpamDataError as error:
        print(f"observatory spam evaluate: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(
            f"observatory spam evaluate: cannot read {error.filename}: {error.strerror}",
            file=sys.stderr,
        )
        return 2
    except ValueError as error:
        print(f"observatory spam evaluate: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0
