"""The sources as a bibliography: CSL-JSON (citeproc's format) and BibTeX.

A source's bibliographic description is a citation, not data taken from it, so every source is
listed, each with its licence (CSL ``license``; BibTeX ``note``/``license``) and whether records
derived from it may be redistributed."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from django.core.exceptions import ValidationError

from observatory.inventory.models import Source
from observatory.validation import csl_check

from .tables import Selection

__all__ = ["bibtex_entries", "csl_items", "write_bibtex", "write_csl_json"]

logger = logging.getLogger(__name__)

BIBTEX_TYPES = {"article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
                "article": "article", "book": "book", "chapter": "incollection", "paper-conference": "inproceedings",
                "thesis": "phdthesis", "report": "techreport", "manuscript": "unpublished"}


#: Why a source is left out of the bibliography (counted in ``selection.left_out``).
INVALID_CSL = "sources whose stored CSL-JSON item is not valid (an object of finite numbers and valid text): fix them in the admin"


def csl_items(selection: Selection) -> list[dict]:
    """The CSL-JSON items of every source. A stored item that is not a valid one (a value written
    before the admin checked it) is left out and counted, so one bad source never breaks the
    bibliography for everyone."""
    items = []
    for source in Source.objects.order_by("key"):
        try:
            csl_check(source.csl, title_required=False)
        except ValidationError:
            logger.warning("bibliography: source %r left out: its CSL-JSON item is not valid", source.key)
            selection.left_out[INVALID_CSL] += 1
            continue
        item = {k: v for k, v in source.csl.items() if k != "id"}
        item["id"] = source.key
        if not isinstance(item.get("type"), str):
            item["type"] = "document"
        item["license"] = source.licence or "unknown"
        custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
        item["custom"] = {**custom, "redistributable": source.redistributable}
        if source.retrieved and "accessed" not in item:
            date = source.retrieved
            item["accessed"] = {"date-parts": [[date.year, date.month, date.day]]}
        items.append(item)
    return items


def write_csl_json(out: Path, selection: Selection) -> dict[str, int]:
    items = csl_items(selection)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(items, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return {"sources": len(items)}


_SPECIAL = re.compile(r"([&%$#_{}])")


def _tex(value) -> str:
    return _SPECIAL.sub(r"\\\1", str(value)).replace("~", r"\textasciitilde{}")


def _names(people: list) -> str:
    names = []
    for person in people if isinstance(people, list) else []:
        if not isinstance(person, dict):
            continue
        if person.get("literal"):
            names.append("{" + _tex(person["literal"]) + "}")
        else:
            family, given = _tex(person.get("family", "")), _tex(person.get("given", ""))
            names.append(f"{family}, {given}" if given else family)
    return " and ".join(n for n in names if n)


def _year_month(issued) -> tuple[str, str]:
    try:
        parts = list(issued["date-parts"][0])
    except (TypeError, KeyError, IndexError):
        return (str(issued.get("literal", "")) if isinstance(issued, dict) else ""), ""
    year = str(parts[0]) if parts else ""
    month = str(parts[1]) if len(parts) > 1 else ""
    return year, month


def bibtex_entries(selection: Selection) -> list[dict]:
    entries = []
    for item in csl_items(selection):
        entry = {"ENTRYTYPE": BIBTEX_TYPES.get(item.get("type", ""), "misc"), "ID": item["id"]}
        if item.get("title"):
            entry["title"] = "{" + _tex(item["title"]) + "}"
        if item.get("author"):
            entry["author"] = _names(item["author"])
        if item.get("editor"):
            entry["editor"] = _names(item["editor"])
        year, month = _year_month(item.get("issued"))
        if year:
            entry["year"] = year
        if month:
            entry["month"] = month
        container = item.get("container-title")
        if container:
            entry["journal" if entry["ENTRYTYPE"] == "article" else "booktitle"] = _tex(container)
        for csl_key, bib_key in (("publisher", "publisher"), ("page", "pages"), ("volume", "volume"),
                                 ("issue", "number"), ("DOI", "doi"), ("URL", "url"), ("version", "version")):
            if item.get(csl_key):
                value = str(item[csl_key])
                entry[bib_key] = value if bib_key in {"url", "doi"} else _tex(value)
        entry["license"] = _tex(item["license"])
        entry["note"] = _tex(f"Licence: {item['license']}; redistributable: "
                             f"{'yes' if item['custom']['redistributable'] else 'no'}")
        entries.append(entry)
    return entries


def write_bibtex(out: Path, selection: Selection) -> dict[str, int]:
    from bibtexparser.bibdatabase import BibDatabase
    from bibtexparser.bwriter import BibTexWriter

    database = BibDatabase()
    database.entries = bibtex_entries(selection)
    writer = BibTexWriter()
    writer.order_entries_by = ("ID",)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(writer.write(database), encoding="utf-8")
    return {"sources": len(database.entries)}
