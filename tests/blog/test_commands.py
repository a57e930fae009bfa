"""The blog's commands: spam evaluate / train / status, import-bibtex."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from observatory.blog.models import SpamModelState
from observatory.blog.services import classifier_load
from observatory.inventory.models import Source
from tests.conftest import REPO

SPAM_DIR = REPO / "tests" / "blog" / "fixtures" / "spam"
BIBTEX = r"""
@article{Keane:2012,
  author = {Keane, Michael and Zhao, Elaine Jing},
  title = {Renegades on the Frontier of Innovation: The Shanzhai Grassroots Communities of Shenzhen in
           {China's} Creative Economy},
  journal = {Eurasian Geography and Economics}, volume = {53}, number = {2}, pages = {216--230}, year = {2012}
}
@book{castells1989,
  author = {Manuel Castells},
  title = {The Informational City: Information Technology, Economic Restructuring, and the Urban-Regional Process},
  publisher = {Blackwell}, address = {Oxford}, year = {1989}
}
@misc{nokey, note = {no title}}
"""


def test_it_runs_spam_evaluate_through_the_observatory_command():
    result = subprocess.run(
        [sys.executable, "-m", "observatory.cli", "spam", "evaluate", "--train",
         str(SPAM_DIR / "SMSSpamCollection_lines0001-0500.tsv"), "--split", "0.8"],
        capture_output=True, text=True, cwd=REPO, env={"DEBUG": "true", "PATH": "/usr/bin:/bin"}, timeout=300)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["test"]["messages"] == 100


def test_it_reports_a_bad_spam_file_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("hello\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "observatory.cli", "spam", "evaluate", "--train", str(bad),
                             "--split", "0.8"], capture_output=True, text=True, cwd=REPO,
                            env={"DEBUG": "true", "PATH": "/usr/bin:/bin"}, timeout=300)
    assert result.returncode == 2 and "Traceback" not in result.stderr and "bad.csv" in result.stderr


@pytest.mark.django_db
def test_it_trains_and_stores_the_blogs_classifier(capsys):
    call_command("spam", "status")
    assert "no stored model" in capsys.readouterr().out
    call_command("spam", "train", str(SPAM_DIR / "Youtube01-Psy.csv"), str(SPAM_DIR / "Youtube02-KatyPerry.csv"))
    assert "trained on 700 messages (350 spam)" in capsys.readouterr().out
    assert SpamModelState.objects.count() == 1
    model = classifier_load()
    assert model.score("subscribe to my channel http://x.example free").probability > model.score(
        "this song brings back memories").probability
    call_command("spam", "status")
    assert "stored model" in capsys.readouterr().out
    with pytest.raises(CommandError, match="unknown spam command"):
        call_command("spam", "forget")


@pytest.mark.django_db
def test_it_imports_bibtex_as_citable_sources(tmp_path, capsys):
    path = tmp_path / "refs.bib"
    path.write_text(BIBTEX, encoding="utf-8")
    call_command("import_bibtex", str(path))
    captured = capsys.readouterr()
    assert "imported 2 source(s): keane2012, castells1989" in captured.out
    assert "nokey: an entry needs a key and a title" in captured.err
    keane = Source.objects.get(key="keane2012")
    assert keane.csl["type"] == "article-journal" and keane.csl["page"] == "216-230"
    assert keane.csl["author"][1] == {"family": "Zhao", "given": "Elaine Jing"}
    assert "China's Creative Economy" in keane.csl["title"]
    from observatory.blog.rendering import markdown_render

    assert "(Keane &amp; Zhao, 2012, p. 220)" in markdown_render("[@keane2012, p. 220]").html
    call_command("import_bibtex", str(path))  # idempotent
    assert Source.objects.filter(key__in=["keane2012", "castells1989"]).count() == 2


def test_a_file_without_bibtex_entries_is_an_error(tmp_path):
    path = tmp_path / "notes.bib"
    path.write_text("just some notes, no entries\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no BibTeX entry found"):
        call_command("import_bibtex", str(path))
