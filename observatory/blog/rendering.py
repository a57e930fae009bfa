"""Markdown → sanitised HTML with citations, a bibliography and embeds.

The author's Markdown goes through markdown-it-py and then the nh3 allow-list; citations and
shortcodes are swapped for placeholders first (a random nonce, so typed text cannot forge one)
and their HTML — produced by our own templates and citeproc, escaped by construction — is put
back after sanitising. Every problem (unknown key, unknown entity or run) becomes a warning: shown
in the preview, and an error on publish (:func:`observatory.blog.services.post_validate`).
"""

from __future__ import annotations

import html as html_lib
import re
import secrets
from dataclasses import dataclass, field

from django.utils.translation import gettext
from markdown_it import MarkdownIt

from . import citations as cit
from . import embeds
from .sanitize import clean_comment_html, clean_fragment, clean_post_html

__all__ = ["Rendered", "comment_render", "markdown_render"]


@dataclass
class Rendered:
    html: str
    warnings: list[str] = field(default_factory=list)
    citation_keys: list[str] = field(default_factory=list)
    run_ids: list[int] = field(default_factory=list)


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table").enable(
        "strikethrough")


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Spans of fenced blocks and inline code, where citations and shortcodes are left alone."""
    spans = [m.span() for m in re.finditer(r"^(```|~~~).*?^\1[ \t]*$", text, re.M | re.S)]
    spans += [m.span() for m in re.finditer(r"`[^`\n]+`", text)]
    return spans


def _inside(position: int, spans) -> bool:
    return any(a <= position < b for a, b in spans)


def markdown_render(text: str, *, style: str | None = None, sources: dict[str, dict] | None = None) -> Rendered:
    """Render a post body. ``sources`` (key → CSL-JSON) defaults to the Source table."""
    nonce = secrets.token_hex(6)
    warnings: list[str] = []
    blocks: dict[str, str] = {}
    run_ids: list[int] = []

    # 1. shortcodes → block placeholders (their own paragraph)
    spans = _code_spans(text)

    def shortcode(match: re.Match) -> str:
        if _inside(match.start(), spans):
            return match.group(0)
        embed = embeds.embed_render(match.group(1), match.group(2))
        token = f"OBSEMBED{nonce}N{len(blocks)}X"
        if embed.warning:
            warnings.append(embed.warning)
            blocks[token] = (f'<div class="embed-missing" role="note"><strong>Embed not shown:</strong> '
                             f'{html_lib.escape(embed.warning)}</div>')
        else:
            blocks[token] = embed.html
            run_ids.extend(embed.run_ids)
        return f"\n\n{token}\n\n"

    text = embeds.SHORTCODE_RE.sub(shortcode, text)

    # 2. citations → inline placeholders
    spans = _code_spans(text)
    groups: list[cit.CitationGroup] = []
    tokens: list[str] = []

    def citation(match: re.Match) -> str:
        if _inside(match.start(), spans) or text[match.end():match.end() + 1] == "(":
            return match.group(0)  # code, or a Markdown link [@name](url)
        parsed = cit.citation_groups_parse(match.group(1))
        if not parsed:
            return match.group(0)
        groups.extend(parsed)
        token = f"OBSCITE{nonce}N{len(tokens)}X"
        tokens.append(token)
        return token

    text = cit.CITATION_RE.sub(citation, text)

    keys = list(dict.fromkeys(c.key for g in groups for c in g.cites))
    if sources is None:
        from observatory.inventory.models import Source

        sources = {s.key: s.csl for s in Source.objects.filter(key__in=keys)}
    known = {k: v for k, v in sources.items() if k in keys}
    missing = [k for k in keys if k not in known]
    for key in missing:
        warnings.append(f"[@{key}]: no source with the key {key!r} (add it to the sources, or import a BibTeX file)")

    resolved_groups = [g for g in groups if all(c.key in known for c in g.cites)]
    inline, bibliography = [], []
    if resolved_groups:
        try:
            inline, bibliography = cit.citations_format(resolved_groups, known, style=style)
        except Exception as error:  # noqa: BLE001 - a malformed CSL item must not break the page
            warnings.append(f"citations could not be formatted: {error}")
            inline = [html_lib.escape(g.text) for g in resolved_groups]
    inline_iter = iter(inline)
    replacements: dict[str, str] = {}
    for token, group in zip(tokens, groups, strict=True):
        if all(c.key in known for c in group.cites):
            formatted = next(inline_iter, html_lib.escape(group.text))
            replacements[token] = f'<span class="citation">{clean_fragment(formatted)}</span>'
        else:
            replacements[token] = (f'<span class="citation-missing" title="unknown source">'
                                   f'{html_lib.escape(group.text)} (unknown source)</span>')

    # 3. Markdown → HTML → allow-list
    body = clean_post_html(_markdown().render(text))

    # 4. placeholders back
    for token, block in blocks.items():
        body = body.replace(f"<p>{token}</p>", block).replace(token, block)
    for token, span in replacements.items():
        body = body.replace(token, span)
    if bibliography:
        entries = "".join(f"<li>{clean_fragment(entry)}</li>" for entry in bibliography)
        heading = html_lib.escape(gettext("References"))
        body += f'<section class="bibliography" aria-label="{heading}"><h2>{heading}</h2><ol>{entries}</ol></section>'
    return Rendered(html=body, warnings=warnings, citation_keys=[k for k in keys if k in known],
                    run_ids=list(dict.fromkeys(run_ids)))


def comment_render(text: str) -> str:
    """A reader's comment: Markdown without raw HTML or images, then the strict allow-list."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(["image", "heading", "lheading",
                                                                              "table"], ignoreInvalid=True)
    return clean_comment_html(md.render(text))
