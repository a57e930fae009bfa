"""Evaluation on the bundled corpora: the figures documented in docs/spam.md, and the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from observatory.blog.spam import binary_metrics, evaluate, evaluate_repeated, main

SPAM_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "spam"
VIDEOS = ["Youtube01-Psy", "Youtube02-KatyPerry", "Youtube03-LMFAO", "Youtube04-Eminem"]
SMS = SPAM_FIXTURES / "SMSSpamCollection_lines0001-0500.tsv"

# Leave-one-video-out figures in docs/spam.md (spam-decision F1 and false-positive rate,
# caught-or-held recall); F1 and recall are checked less a margin of 0.02 for floating-point
# differences between machines. The Psy fold loses 2 of its 175 legitimate comments (1.14 %),
# above the 1 % cap: the documented figure is asserted, not the target.
DOCUMENTED = {
    "Youtube01-Psy": (0.901, 0.0114, 0.989),
    "Youtube02-KatyPerry": (0.907, 0.0057, 0.977),
    "Youtube03-LMFAO": (0.879, 0.000, 0.907),
    "Youtube04-Eminem": (0.928, 0.0049, 0.963),
}
MARGIN = 0.02
# The pooled held-out split of docs/spam.md: the four videos' 1,586 comments split 80/20 at
# random, stratified by class, with --shuffle 0..4 (spam-decision F1 and false positives of 151).
POOLED = {0: (0.966, 0), 1: (0.946, 0), 2: (0.979, 0), 3: (0.950, 1), 4: (0.953, 2)}


@pytest.mark.parametrize("test_video", VIDEOS)
def test_it_reaches_the_documented_figures_leaving_one_video_out(test_video):
    train = [SPAM_FIXTURES / f"{v}.csv" for v in VIDEOS if v != test_video]
    result = evaluate(train, SPAM_FIXTURES / f"{test_video}.csv")
    f1, fpr, held_recall = DOCUMENTED[test_video]
    assert result["spam_decision"]["f1"] >= f1 - MARGIN
    if fpr <= 0.01:
        assert result["spam_decision"]["false_positive_rate"] <= 0.01, (
            "at most 1 % of legitimate comments lost"
        )
    assert result["spam_decision"]["false_positive_rate"] <= fpr + 0.005
    assert result["caught_or_held"]["recall"] >= held_recall - MARGIN
    assert result["caught_or_held"]["tp"] + result["caught_or_held"]["fn"] == result["test"]["spam"]
    assert sum(result["decisions"].values()) == result["test"]["messages"]


def test_it_reaches_the_target_on_a_held_out_split_drawn_at_random():
    """The issue's protocol, as docs/spam.md measures it: 20 random 80/20 splits of the four
    videos, stratified by class (seeds 0-19; the first five are the table's)."""
    files = [SPAM_FIXTURES / f"{v}.csv" for v in VIDEOS]
    done = []
    result = evaluate_repeated(files, split=0.8, repeat=20, progress=lambda i, n: done.append((i, n)))
    assert done[-1] == (20, 20) and len(result["splits"]) == 20
    lost = f1s = 0.0
    for split in result["splits"][:5]:
        f1, fp = POOLED[split["shuffle"]]
        figures = split["spam_decision"]
        assert (split["test"]["spam"], split["test"]["ham"]) == (166, 151)
        assert figures["f1"] >= f1 - MARGIN
        assert figures["fp"] <= fp + 1
        lost += figures["fp"]
        f1s += figures["f1"]
    # the five splits of the table together: mean F1 >= 0.95, at most 1 % of the 755 legitimate
    # test comments lost (3 documented)
    assert f1s / len(POOLED) >= 0.95
    assert lost / (151 * len(POOLED)) <= 0.01
    summary = result["summary"]["spam_decision"]
    # documented: mean F1 0.9635 (95 % interval 0.958-0.969), 12 of 3,020 legitimate comments lost
    # (mean rate 0.40 %, interval 0.14-0.65 %)
    assert summary["f1"]["low"] >= 0.95 and summary["false_positive_rate"]["high"] <= 0.01
    assert summary["f1"]["low"] <= summary["f1"]["mean"] <= summary["f1"]["high"]
    assert summary["fp"] == sum(split["spam_decision"]["fp"] for split in result["splits"]) <= 20
    assert summary["fp"] + summary["tn"] == 151 * 20
    assert result["target"]["met"] is True
    assert result["target"]["splits_meeting_it"].endswith("of 20")


def test_the_target_is_judged_on_the_whole_interval():
    """One split is no interval: the target holds only if the single figures meet it."""
    result = evaluate_repeated([SMS], split=0.8, repeat=1, first_shuffle=7)
    single = result["splits"][0]["spam_decision"]
    assert result["summary"]["spam_decision"]["f1"] == {"mean": single["f1"], "low": single["f1"],
                                                         "high": single["f1"]}
    assert result["target"]["met"] == (single["f1"] >= 0.95 and single["false_positive_rate"] <= 0.01)
    with pytest.raises(ValueError, match="at least 1"):
        evaluate_repeated([SMS], split=0.8, repeat=0)


def test_it_splits_pooled_files_at_random_stratified_by_class():
    result = evaluate([SMS], split=0.8, shuffle=7)
    spam = result["train"]["spam"] + result["test"]["spam"]
    assert result["train"]["messages"] == 400 and result["test"]["messages"] == 100
    assert result["test"]["spam"] == round(spam * 0.2)
    assert "stratified by class" in result["test"]["split"]
    assert result["calibration"]["folds"] == 5
    assert evaluate([SMS], split=0.8, shuffle=7)["spam_decision"] == result["spam_decision"]


def test_it_splits_a_single_file_by_position():
    result = evaluate([SMS], split=0.8)
    assert result["train"]["messages"] == 400 and result["test"]["messages"] == 100
    assert result["calibration"]["folds"] == 5
    # Measured: spam decision F1 1.0 with no false positive; every spam caught or held.
    assert result["spam_decision"]["f1"] >= 0.95
    assert result["spam_decision"]["false_positive_rate"] <= 0.01
    assert result["caught_or_held"]["recall"] >= 0.95


def test_it_counts_the_confusion_matrix():
    assert binary_metrics([True, True, False, False, True], [True, False, False, True, True]) == {
        "precision": 0.6667,
        "recall": 0.6667,
        "f1": 0.6667,
        "false_positive_rate": 0.5,
        "tp": 2,
        "fp": 1,
        "tn": 1,
        "fn": 1,
    }
    assert binary_metrics([], [])["f1"] == 0.0


def test_the_command_prints_the_figures_as_json(capsys):
    train = [str(SPAM_FIXTURES / f"{v}.csv") for v in VIDEOS[1:]]
    assert main(["evaluate", "--train", *train, "--test", str(SPAM_FIXTURES / "Youtube01-Psy.csv")]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["spam_decision"]) == {
        "precision",
        "recall",
        "f1",
        "false_positive_rate",
        "tp",
        "fp",
        "tn",
        "fn",
    }
    assert result["thresholds"]["ham_below"] <= result["thresholds"]["spam_from"]


def test_the_command_repeats_splits_with_a_progress_bar_and_a_summary(capsys):
    bundled = str(SPAM_FIXTURES / "SMSSpamCollection_lines0001-0500.tsv")
    assert main(["evaluate", "--train", bundled, "--split", "0.8", "--shuffle", "3", "--repeat", "2"]) == 0
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert [split["shuffle"] for split in result["splits"]] == [3, 4]
    assert set(result["summary"]["spam_decision"]["f1"]) == {"mean", "low", "high"}
    assert isinstance(result["target"]["met"], bool)
    assert "2/2" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["evaluate", "--train", "missing.csv", "--test", "missing.csv"], "cannot read missing.csv"),
        (["evaluate", "--train", str(SMS)], "one of the arguments --test --split is required"),
        (["evaluate", "--train", str(SMS), "--split", "1.5"], "split between 0 and 1"),
        (
            ["evaluate", "--train", str(SMS), "--test", str(SMS), "--shuffle", "1"],
            "--shuffle goes with --split",
        ),
        (
            ["evaluate", "--train", str(SMS), "--test", str(SPAM_FIXTURES / "PROVENANCE.md")],
            "unrecognised format",
        ),
        (["evaluate", "--train", str(SMS), "--split", "0.8", "--repeat", "3"], "--repeat goes with --split and --shuffle"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_the_command_explains_bad_input_with_exit_status_2(capsys, argv, message):
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert message in error
    assert "Traceback" not in error
