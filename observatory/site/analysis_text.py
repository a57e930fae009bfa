"""The texts an analysis run writes (summary, notes, figure titles) in the reader's language.

A run stores its texts in English, as the record of what was computed (runners.py). The atlas
shows them in the active language: each sentence the runners write is matched here and rebuilt
from the catalogue with its numbers; a sentence not known here is shown as stored (English), never
dropped. tests/site/test_analysis_text.py runs every analysis on real data and fails when one of
its sentences is not known here, so a new sentence in runners.py cannot slip through untranslated.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language
from django.utils.translation import gettext as _

__all__ = ["run_text", "figure_title"]


def _patterns():
    # (pattern over the stored English, function of the match giving the text in the active language)
    return [
        (r"(?P<n>\d+) actors, (?P<m>\d+) ties \((?P<classes>[^)]*)\); (?P<b>\d+) actors broker between "
         r"(?P<partition>\w+?)s(?:, (?P<s>\d+) significantly \(permutation test, (?P<p>\d+) permutations, "
         r"Benjamini–Hochberg FDR (?P<fdr>[\d.e-]+)\))?\. Top brokers: (?P<top>.*)",
         lambda g: _("%(n)s actors, %(m)s ties (%(classes)s); %(b)s actors broker between %(partition)s%(tested)s. "
                     "Top brokers: %(top)s")
         % {**g, "partition": _partition(g["partition"]),
            "tested": (_(", %(s)s significantly (permutation test, %(p)s permutations, Benjamini–Hochberg FDR "
                         "%(fdr)s)") % g) if g["s"] is not None else ""}),
        (r"(?P<n>\d+) located spaces; most in (?P<top>.*?)\. (?P<e>\d+) precise points(?:, (?P<h>\d+) hotspots at "
         r"eps = (?P<eps>[\d.]+) km)?; (?P<t>\d+) cities with (?P<min>\d+) or more precise points tested against "
         r"CSR\.",
         lambda g: _("%(n)s located spaces; most in %(top)s. %(e)s precise points%(hotspots)s; %(t)s cities with "
                     "%(min)s or more precise points tested against complete spatial randomness.")
         % {**g, "hotspots": (_(", %(h)s hotspots at eps = %(eps)s km") % g) if g["h"] is not None else ""}),
        (r"(?P<n>\d+) entities coded on (?P<d>\d+)\+ dimensions, (?P<c>\d+) codes; specific MCA \((?P<k>\d+) axes "
         r"kept\); (?P<t>\d+) types (?:\(average silhouette (?P<s>[\d.]+)\))?: (?P<types>.*)",
         lambda g: _("%(n)s entities coded on %(d)s or more dimensions, %(c)s codes; specific MCA (%(k)s axes kept); "
                     "%(t)s types%(quality)s: %(types)s")
         % {**g, "quality": (_(" (average silhouette %(s)s)") % g) if g["s"] is not None else "",
            "types": g["types"].replace(", doubtful)", _(", doubtful)")).replace("unnamed (", _("unnamed ("))}),
        (r"(?P<n>\d+) dated actors founded (?P<a>\d+)–(?P<b>\d+) \(axis from (?P<ax>\d+); (?P<o>\d+) earlier listed "
         r"apart\); (?P<c>\d+) recorded closings(?P<ne>; survival not estimable)?\.",
         lambda g: _("%(n)s dated actors founded %(a)s–%(b)s (axis from %(ax)s; %(o)s earlier listed apart); "
                     "%(c)s recorded closings%(estimable)s.")
         % {**g, "estimable": _("; survival not estimable") if g["ne"] else ""}),
        (r"survival cannot be estimated: no closing is recorded \(every actor is censored\)",
         lambda g: _("survival cannot be estimated: no closing is recorded (every actor is censored)")),
        (r"no city has (?P<min>\d+) or more precise points of spaces: Clark–Evans and Ripley's L are not computed",
         lambda g: _("no city has %(min)s or more precise points of spaces: Clark–Evans and Ripley's L are not "
                     "computed") % g),
        (r"null where undefined in (?P<n>\d+) columns \((?P<columns>[^)]*)\): z-scores whose null variance is 0, as "
         r"in R sna \(e\.g\. liaison between two sides, coordinator in a group of fewer than 3\)",
         lambda g: _("null where undefined in %(n)s columns (%(columns)s): z-scores whose null variance is 0, as in "
                     "R sna (e.g. liaison between two sides, coordinator in a group of fewer than 3)") % g),
        (r"(?P<n>\d+) of (?P<m>\d+) actors have no founding date and are left out",
         lambda g: _("%(n)s of %(m)s actors have no founding date and are left out") % g),
        (r"no dated closing is recorded: survival curves stay at 1 \(every actor is censored\)",
         lambda g: _("no dated closing is recorded: survival curves stay at 1 (every actor is censored)")),
        (r"result\.(?P<field>\S+): undefined \(NaN\) — stored as null",
         lambda g: _("%(field)s: undefined (no value can be computed from these data)") % g),
        (r"(?P<n>\d+) codes used by fewer than (?P<m>\d+) entities are left out \(too rare to shape a type\)",
         lambda g: _("%(n)s codes used by fewer than %(m)s entities are left out (too rare to shape a type)") % g),
        (r"variable (?P<v>.+) has one category only and is left out",
         lambda g: _("variable %(v)s has one category only and is left out") % g),
        (r"(?P<n>\d+) locations coarser than street level \(or placed at a division centroid\) are counted per "
         r"division but left out of point-pattern statistics",
         lambda g: _("%(n)s locations coarser than street level (or placed at a division centroid) are counted per "
                     "division but left out of point-pattern statistics") % g),
        (r"(?P<n>\d+) points fall outside the bundled divisions \(abroad or at sea\) and are not counted",
         lambda g: _("%(n)s points fall outside the bundled divisions (abroad or at sea) and are not counted") % g),
        (r"fewer than 2 precise points: no hotspot detection",
         lambda g: _("fewer than 2 precise points: no hotspot detection")),
        (r"no prefecture has 10 or more precise points: Clark–Evans and Ripley's K are not computed",
         lambda g: _("no prefecture has 10 or more precise points: Clark–Evans and Ripley's K are not computed")),
        (r"z-scores are undefined \(null\) where the null model's variance is 0, e\.g\. coordinator roles in a group "
         r"of fewer than 3 actors \(as in R sna\)",
         lambda g: _("z-scores are undefined (null) where the null model's variance is 0, e.g. coordinator roles in "
                     "a group of fewer than 3 actors (as in R sna)")),
        (r"betweenness is estimated from (?P<p>\d+) random source pivots \(Brandes & Pich 2007\): relative standard "
         r"error of the top 100 scores about (?P<se>\S+) \(from two halves of the pivots\)",
         lambda g: _("betweenness is estimated from %(p)s random source pivots (Brandes & Pich 2007): relative "
                     "standard error of the top 100 scores about %(se)s (from two halves of the pivots)") % g),
    ]


_FIGURES = {
    "brokerage-roles": lambda title: _("Brokerage roles of the top brokers"),
    "counts-by-province": lambda title: _("Actors per province"),
    "ripley-l": lambda title: _("Ripley's L for %(place)s") % {"place": title.removeprefix("Ripley's L for ")},
    "mca-map": lambda title: _("MCA factor map"),
    "per-year": lambda title: _("Foundings and closings per year"),
    "survival": lambda title: _("Survival of actors by group (Kaplan–Meier)"),
}


def _partition(word: str) -> str:
    return {"side": _("the online and physical sides"), "layer": _("layers"), "kind": _("kinds"),
            "community": _("communities")}.get(word, word + "s")


_COMPILED: list | None = None


def known(text: str) -> bool:
    """True when *text* is a sentence written by the runners that this module translates."""
    return _match(text) is not None


def _match(text: str):
    global _COMPILED
    if _COMPILED is None:
        _COMPILED = [(re.compile(pattern + r"\Z", re.S), build) for pattern, build in _patterns()]
    for pattern, build in _COMPILED:
        found = pattern.match(text)
        if found:
            return build, found.groupdict()
    return None


def run_text(text: str) -> str:
    """*text*, a summary or note of a run, in the active language (as stored when not known)."""
    if not text or (get_language() or "en").startswith("en"):
        return text
    found = _match(text)
    if found is None:
        return text
    build, groups = found
    return build(groups)


def figure_title(name: str, title: str) -> str:
    """The title of a run's figure *name* in the active language."""
    if (get_language() or "en").startswith("en") or name not in _FIGURES:
        return title
    return _FIGURES[name](title)
