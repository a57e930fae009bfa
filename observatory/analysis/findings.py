"""What every stored run states about itself: its ``sample`` (the cases used and, per reason, the
cases left out) and its ``caveats`` (plain statements, in English and Chinese, of what the result can
and cannot support), generated from the run.

The texts a run writes for its readers (summary, notes, figure titles, caveats, the reasons of values
left undefined) are written once, as messages of the catalogue with named placeholders, and rendered
by :func:`in_both` in English and Chinese when the run is made; the run stores both (the summary, notes,
titles and the reasons cases were left out in ``result["texts"]``), and :func:`texts_in`,
:func:`caveats_in` and :func:`sample_in` read them back in the reader's language (a run stored before
the texts were kept shows its English, as stored)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from django.utils import translation
from django.utils.functional import Promise

from observatory.china.names import is_chinese_language

__all__ = ["Caveats", "Excluded", "caveats_in", "in_both", "sample", "sample_in", "texts_in"]

#: The languages a run's texts are stored in: key in the stored pair, Django language code.
TEXT_LANGUAGES = (("en", "en"), ("zh", "zh-hans"))


def in_both(message, **params) -> dict[str, str]:
    """``{"en": ..., "zh": ...}``: ``message`` (a ``gettext_lazy`` string with named placeholders)
    rendered in each language with ``params``. A parameter that is itself a lazy message or a stored
    pair (``{"en", "zh"}``, e.g. from an earlier :func:`in_both`) is rendered in the same language;
    any other value is used as it is. Without ``params`` the message is returned as written, its
    placeholders unfilled (a template to fill many times, as :func:`.services.json_safe` does)."""
    pair = {}
    for key, code in TEXT_LANGUAGES:
        with translation.override(code):
            values = {name: _render(value, key) for name, value in params.items()}
            pair[key] = str(message) % values if values else str(message)
    return pair


def _render(value, key: str):
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Mapping) and "en" in value:
        return value.get(key) or value["en"]
    return value


class Excluded:
    """The cases a run leaves out, counted per reason. Each reason is written once, where the run
    leaves the cases out, as a catalogue message with named placeholders
    (``excluded.add(_("no founding date"), 3)``), and kept in English and Chinese (:func:`in_both`):
    :func:`sample` stores the counts by the English text (the API's ``sample.excluded``), and the
    runner hands :attr:`texts` back as its ``reasons``, which the run stores beside its other texts
    (``result["texts"]["reasons"]``) for :func:`sample_in`."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        #: English text → ``{"en": ..., "zh": ...}``
        self.texts: dict[str, dict[str, str]] = {}

    def add(self, message, count: int = 1, **params) -> None:
        pair = in_both(message, **params)
        self.counts[pair["en"]] += int(count)
        self.texts.setdefault(pair["en"], pair)


def sample(n: int, excluded: Excluded | None = None) -> dict:
    """``{"n": cases used, "excluded": {reason: count}}``, reasons (in English) with a zero count dropped."""
    counts = excluded.counts if excluded is not None else {}
    return {"n": int(n), "excluded": {reason: int(count) for reason, count in counts.items() if int(count)}}


class Caveats(list):
    """A list of ``{"en": ..., "zh": ...}`` statements (from :func:`in_both`); :meth:`add` keeps them
    unique and in order."""

    def add(self, statement: dict[str, str]) -> None:
        if statement not in self:
            self.append(statement)


def _pick(pair: Mapping | None, language: str) -> str:
    if not isinstance(pair, Mapping):
        return ""
    return str(pair.get("zh") if is_chinese_language(language) and pair.get("zh") else pair.get("en") or "")


def figure_facts(run, language: str = "en") -> dict[str, dict]:
    """For each figure of a stored run: the number of cases it draws (``n``) and its null model, in
    ``language`` (``en`` or ``zh``), read from the stored result. Unknown figures get ``None``."""
    result = run.result if isinstance(run.result, dict) else {}
    facts: dict[str, dict] = {}
    if run.kind == "network":
        permutation = (result.get("null_models") or {}).get("permutation")
        null = ({"en": f"Gould–Fernandez expectations; permutation test of the side labels ({permutation['permutations']} "
                       f"permutations, seed {permutation['seed']}), Benjamini–Hochberg at FDR {permutation['fdr']}",
                 "zh": f"Gould–Fernandez 期望值；侧别标签置换检验（{permutation['permutations']} 次置换，种子 "
                       f"{permutation['seed']}），Benjamini–Hochberg 校正，错误发现率 {permutation['fdr']}"}
                if permutation else {"en": "Gould–Fernandez expectations only (no permutation test)",
                                     "zh": "仅 Gould–Fernandez 期望值（未做置换检验）"})
        facts["brokerage-roles"] = {"n": result.get("n_nodes"), "null_model": _pick(null, language)}
    elif run.kind == "spatial":
        facts["counts-by-province"] = {"n": result.get("n_points"), "null_model": _pick(
            {"en": "none (counts)", "zh": "无（计数）"}, language)}
        tested = {c: p for c, p in (result.get("point_patterns") or {}).items() if p.get("statistics")}
        if tested:
            best = max(tested, key=lambda c: tested[c]["n"])
            ripley = tested[best]["statistics"]["ripley"]
            facts["ripley-l"] = {"n": tested[best]["n"], "null_model": _pick(
                {"en": f"complete spatial randomness in the city's outline ({ripley['nsim']} seeded simulations, "
                       f"pointwise envelope, level {ripley['envelope_level']:.2f})",
                 "zh": f"城市轮廓内的完全空间随机性（{ripley['nsim']} 次带种子模拟，逐点包络，水平 "
                       f"{ripley['envelope_level']:.2f}）"}, language)}
    elif run.kind == "typology":
        facts["mca-map"] = {"n": (result.get("sample") or {}).get("n"), "null_model": _pick(
            {"en": "none for the map; types checked by bootstrap Jaccard stability (Hennig 2007)",
             "zh": "因子图无零模型；类型以自助法 Jaccard 稳定性检验（Hennig 2007）"}, language)}
    elif run.kind == "timeline":
        per_year = result.get("per_year") or []
        facts["per-year"] = {"n": sum(int(r.get("foundings") or 0) for r in per_year), "null_model": _pick(
            {"en": "none (counts)", "zh": "无（计数）"}, language)}
        survival = result.get("survival")
        if survival:
            facts["survival"] = {"n": survival.get("n"), "null_model": _pick(
                {"en": "log-rank test of equal survival (with entry times)",
                 "zh": "生存相同的对数秩检验（含进入时间）"}, language)}
    return facts


def texts_in(run, language: str = "en") -> dict:
    """The run's ``summary`` (str), ``notes`` (list of str) and figure ``titles`` (figure name → str) in
    ``language``, from the pairs the run stored; a run stored before the pairs were kept gives its
    English fields as stored."""
    result = run.result if isinstance(run.result, dict) else {}
    texts = result.get("texts") if isinstance(result.get("texts"), Mapping) else {}
    summary = texts.get("summary")
    notes = texts.get("notes")
    return {"summary": _pick(summary, language) if isinstance(summary, Mapping) else run.summary,
            "notes": [_pick(n, language) for n in notes] if isinstance(notes, list) else list(run.notes or []),
            "titles": {name: _pick(title, language) for name, title in (texts.get("titles") or {}).items()}}


def caveats_in(run, language: str = "en") -> list[str]:
    """The run's caveats in ``language`` (the English text where no Chinese one is stored)."""
    result = run.result if isinstance(run.result, dict) else {}
    return [_pick(c, language) for c in result.get("caveats") or []]


def sample_in(run, language: str = "en") -> dict | None:
    """The run's sample for a reader of ``language``: ``{"n": cases used, "excluded": [(reason, count)]}``,
    each reason in ``language`` from the pairs the run stored (a run stored before they were kept
    gives its reasons in English, as stored); ``None`` when the run states no sample."""
    result = run.result if isinstance(run.result, dict) else {}
    stored = result.get("sample")
    if not isinstance(stored, Mapping) or not stored:
        return None
    texts = result.get("texts") if isinstance(result.get("texts"), Mapping) else {}
    reasons = texts.get("reasons") if isinstance(texts.get("reasons"), Mapping) else {}
    return {"n": stored.get("n"), "excluded": [(_pick(reasons.get(reason), language) or reason, count)
                                               for reason, count in (stored.get("excluded") or {}).items()]}
