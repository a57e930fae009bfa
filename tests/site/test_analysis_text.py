"""The analysis page in Chinese: every sentence a run writes is shown translated, not in English."""

import pytest
from django.core.management import call_command
from django.utils import translation

from observatory.analysis.models import AnalysisRun
from observatory.site.analysis_text import figure_title, known, run_text

pytestmark = pytest.mark.django_db


def test_every_sentence_the_analyses_write_has_a_chinese_version(mini_dataset):
    for kind in ("network", "spatial", "timeline"):  # the typology needs more coded entities than the mini set has
        # the mini set is small: its network is read across layers, affiliation ties included
        call_command("analyze", kind, verbosity=0, **({"partition": "layer",
                                                        "relation_classes": "interaction,knowledge_flow,affiliation"}
                                                       if kind == "network" else {}))
    runs = list(AnalysisRun.objects.filter(status="done"))
    assert {run.kind for run in runs} == {"network", "spatial", "timeline"}
    sentences = [text for run in runs for text in [run.summary, *run.notes] if text]
    unknown = [text for text in sentences if not known(text)]
    assert unknown == [], "sentences of analysis runs with no Chinese version in observatory/site/analysis_text.py"
    with translation.override("zh-hans"):
        for text in sentences:
            assert run_text(text) != text, text
        for run in runs:
            for figure in run.figures.all():
                assert figure_title(figure.name, figure.title) != figure.title, figure.name
    with translation.override("en"):
        assert [run_text(text) for text in sentences] == sentences


@pytest.mark.parametrize("stored", [
    "62 entities coded on 2+ dimensions, 20 codes; specific MCA (5 axes kept); 6 types (average silhouette 0.31): "
    "Electronics market ecosystem (6); unnamed (3, doubtful)",
    "14 codes used by fewer than 3 entities are left out (too rare to shape a type)",
])
def test_the_typology_sentences_of_the_bundled_data_have_a_chinese_version(stored):
    assert known(stored)
    with translation.override("zh-hans"):
        assert "MCA" not in run_text(stored) or "多重对应分析" in run_text(stored)
        assert run_text(stored) != stored


def test_the_analysis_page_in_chinese_shows_the_translated_summary(reader, mini_dataset):
    call_command("analyze", "timeline", verbosity=0)
    page = reader.get("/analysis/", HTTP_ACCEPT_LANGUAGE="zh-hans", headers={"Cookie": "django_language=zh-hans"})
    html = page.content.decode()
    assert "个有成立日期的行动者" in html
    assert "dated actors founded" not in html
