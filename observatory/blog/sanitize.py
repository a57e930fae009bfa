"""HTML allow-lists (nh3): one for post bodies, a much stricter one for reader comments."""

from __future__ import annotations

import nh3

__all__ = ["clean_comment_html", "clean_fragment", "clean_post_html"]

_POST_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol",
    "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul",
}
_POST_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
    "code": {"class"},
    "span": {"class", "lang"},
    "div": {"class", "lang"},
    "p": {"lang"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"},
}
_SCHEMES = {"http", "https", "mailto"}

_COMMENT_TAGS = {"a", "blockquote", "br", "code", "em", "li", "ol", "p", "pre", "strong", "ul"}


def clean_post_html(html: str) -> str:
    """An author's rendered Markdown: no script, style, event handler or foreign scheme."""
    return nh3.clean(html, tags=_POST_TAGS, attributes=_POST_ATTRIBUTES, url_schemes=_SCHEMES,
                     link_rel="noopener", strip_comments=True)


def clean_comment_html(html: str) -> str:
    """A reader's comment: paragraphs, emphasis, lists, code and links marked nofollow ugc."""
    return nh3.clean(html, tags=_COMMENT_TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https"},
                     link_rel="nofollow ugc noopener", strip_comments=True)


def clean_fragment(html: str) -> str:
    """Formatter output (citeproc) that should be inline markup only."""
    return nh3.clean(html, tags={"i", "b", "em", "strong", "span", "sup", "sub", "a"}, attributes={"a": {"href"}},
                     url_schemes={"http", "https"}, link_rel="noopener")
