"""The texts of an analysis run (summary, notes, figure titles) in the reader's language: written once
by the runners as catalogue messages, stored in English and Chinese, read back by the pages."""

import re

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from observatory.analysis.findings import texts_in
from observatory.analysis.models import AnalysisRun

pytestmark = pytest.mark.django_db

# Three Latin words in a row: an English sentence (or a piece of one) left in a Chinese text.
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,;:]+[A-Za-z]{2,}){2,}")


@pytest.fixture(autouse=True)
def _language_kept():
    """A request in Chinese leaves Chinese active in the test's thread (LocaleMiddleware): restore it."""
    with translation.override(translation.get_language()):
        yield


def _chinese_page(reader, url: str) -> str:
    return reader.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans",
                      headers={"Cookie": "django_language=zh-hans"}).content.decode()


def test_a_runs_summary_on_a_chinese_page_is_the_catalogues_translation(reader, mini_dataset):
    call_command("analyze", "timeline", verbosity=0)
    run = AnalysisRun.objects.get(kind="timeline", status="done")
    result = run.result
    years = [row["year"] for row in result["per_year"] if row["foundings"]] + [o["founded"] for o in
                                                                                 result["outliers"]]
    closings = (result["survival"] or {}).get("closings", 0)
    with translation.override("zh-hans"):
        expected = gettext("%(n)s dated actors founded %(a)s–%(b)s (axis from %(ax)s; %(o)s earlier listed apart); "
                           "%(c)s recorded closings%(estimable)s.") % {
            "n": result["n_dated"], "a": min(years), "b": max(years), "ax": result["axis"]["from"],
            "o": len(result["outliers"]), "c": closings,
            "estimable": "" if result["survival"] else gettext("; survival not estimable")}
    assert expected != run.summary and "个有成立日期的行动者" in expected
    assert result["texts"]["summary"] == {"en": run.summary, "zh": expected}
    for url in ("/analysis/", "/timeline/"):
        html = _chinese_page(reader, url)
        assert expected in html, url
        assert run.summary not in html, url
    assert not ENGLISH.search(expected), expected


def test_every_text_of_a_run_is_stored_in_both_languages(mini_dataset):
    for kind in ("network", "spatial", "timeline"):  # the typology needs more coded entities than the mini set has
        # the mini set is small: its network is read across layers, affiliation ties included
        call_command("analyze", kind, verbosity=0, **({"partition": "layer",
                                                        "relation_classes": "interaction,knowledge_flow,affiliation"}
                                                       if kind == "network" else {}))
    runs = list(AnalysisRun.objects.filter(status="done"))
    assert {run.kind for run in runs} == {"network", "spatial", "timeline"}
    for run in runs:
        texts = run.result["texts"]
        assert texts["summary"]["en"] == run.summary
        assert [note["en"] for note in texts["notes"]] == run.notes
        assert {figure.name: figure.title for figure in run.figures.all()} == {
            name: title["en"] for name, title in texts["titles"].items()}
        # each reason cases were left out for: counted in the sample by its English text, kept in both
        assert set(texts["reasons"]) >= set(run.result["sample"]["excluded"])
        assert all(pair["en"] == reason for reason, pair in texts["reasons"].items())
        for pair in [texts["summary"], *texts["notes"], *texts["titles"].values(), *texts["reasons"].values()]:
            assert pair["zh"] and pair["zh"] != pair["en"], pair
        chinese = texts_in(run, "zh-hans")
        assert chinese["summary"] == texts["summary"]["zh"]
        assert texts_in(run, "en")["notes"] == run.notes


def test_a_run_stored_before_the_texts_were_kept_shows_its_english(reader, analysis_runs):
    run = analysis_runs["timeline"]
    assert "texts" not in run.result
    assert texts_in(run, "zh-hans") == {"summary": run.summary, "notes": run.notes, "titles": {}}
    html = _chinese_page(reader, "/analysis/")
    assert run.summary in html
    assert "A timeline figure" in html


def test_the_reasons_cases_were_left_out_for_are_shown_in_the_readers_language(reader, mini_dataset):
    from observatory.analysis.findings import sample_in

    call_command("analyze", "timeline", verbosity=0)
    run = AnalysisRun.objects.get(kind="timeline", status="done")
    excluded = run.result["sample"]["excluded"]
    assert excluded, "the mini set leaves some actors out of the timeline"
    with translation.override("zh-hans"):
        expected = [(gettext(reason), count) for reason, count in excluded.items()]
    assert all(zh != en for (zh, _count), en in zip(expected, excluded, strict=True))
    assert sample_in(run, "zh-hans") == {"n": run.result["sample"]["n"], "excluded": expected}
    assert sample_in(run, "en")["excluded"] == list(excluded.items())
    html = _chinese_page(reader, "/analysis/")
    assert all(f"{zh} ({count})" in html for zh, count in expected)
    # a run stored before the reasons were kept in both languages shows them as stored
    del run.result["texts"]["reasons"]
    assert sample_in(run, "zh-hans")["excluded"] == list(excluded.items())
