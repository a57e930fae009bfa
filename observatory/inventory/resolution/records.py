"""Entity resolution, the records compared (no Django).

A :class:`MatchRecord` holds what the comparison needs of one entity: its names in every script,
the website's domain, an exact point (not a centroid), its city (a prefecture code or a city
name), its kind and layer, and its own place names. Preparing it (:meth:`MatchRecord.prepare`,
:func:`records_prepare`) computes the forms and block keys of its names (:mod:`.normalisation`);
the forms of many distinct names are computed in forked worker processes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .normalisation import _gazetteer, _name_forms_and_keys

__all__ = ["MatchRecord", "records_prepare"]

#: Name forms computed by worker processes during records_prepare, by (name, the record's own places).
_FORMS_DONE: dict[tuple, tuple] = {}


@dataclass
class MatchRecord:
    id: int
    names: list[str]
    kind: str = ""
    layer: str = ""
    domain: str = ""
    lng: float | None = None
    lat: float | None = None
    city: str = ""
    label: str = ""  # source and external id, for reports
    #: The record's own place names, (surface, place id) pairs: its divisions, the city of its row
    #: (see :func:`places_of_divisions`, :func:`places_of_text`); added to the gazetteer's for its names.
    places: tuple[tuple[str, str], ...] = ()
    forms: list[tuple] = field(default_factory=list)  # see name_forms
    keys: set[str] = field(default_factory=set)

    def prepare(self) -> MatchRecord:
        self.forms, self.keys = [], set()
        for name in self.names:
            if not name:
                continue
            forms, keys = _FORMS_DONE.get((name, self.places)) or _name_forms_and_keys(name, self.places)
            self.keys |= keys
            for form in forms:
                if form not in self.forms:
                    self.forms.append(form)
        return self


def _forms_of(items: list[tuple[str, tuple]]) -> list:
    return [_name_forms_and_keys(name, own) for name, own in items]


def records_prepare(records: list[MatchRecord], *, processes: int | None = None, parallel_from: int = 20_000) -> None:
    """Prepare the records that are not yet; the name forms of many distinct names (pinyin and
    script conversion, the costly part of preparing) are computed in worker processes."""
    todo = [record for record in records if not record.forms]
    items = sorted({(name, record.places) for record in todo for name in record.names if name})
    if len(items) >= parallel_from and (processes or os.cpu_count() or 1) > 1:
        import multiprocessing

        _gazetteer()  # loaded once, before the fork
        workers = processes or os.cpu_count() or 2
        chunks = [items[i:i + 2000] for i in range(0, len(items), 2000)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for chunk, results in zip(chunks, pool.imap(_forms_of, chunks), strict=True):
                for item, result in zip(chunk, results, strict=True):
                    _FORMS_DONE[item] = result
    for record in todo:
        record.prepare()
    _FORMS_DONE.clear()
