"""Labels of the inventory's vocabularies in the reader's language, and web links."""

from collections.abc import Mapping
from urllib.parse import urlsplit

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from observatory.china.names import is_chinese_language
from observatory.inventory.models import display_name, other_name
from observatory.inventory.taxonomy import KINDS, LAYERS

register = template.Library()

LAYER_ZH = {"physical": "实体空间", "organizational": "组织", "virtual": "线上社群"}


def _zh() -> bool:
    return is_chinese_language(get_language())


@register.filter
def kind_label(kind: str) -> str:
    entry = KINDS.get(kind)
    if entry is None:
        return kind
    return entry[1] if _zh() else entry[0]


@register.filter
def layer_label(layer: str) -> str:
    if _zh():
        return LAYER_ZH.get(layer, layer)
    return dict(LAYERS).get(layer, layer)


@register.filter
def entity_name(entity) -> SafeString:
    """An entity's name in the reader's language, the other language's in brackets, escaped (a
    filter rather than an included template: it is written for every row of a list and every
    relation of an entity page). Also takes the name fields of an analysis run's node, which keep
    ``name`` (English, else Chinese) and ``name_zh`` only."""
    if isinstance(entity, Mapping):
        name, name_zh, name_en = entity.get("name") or "", entity.get("name_zh") or "", entity.get("name_en")
    else:
        name, name_zh, name_en = entity.name, entity.name_zh, entity.name_en
    language = get_language()
    shown = display_name(name, name_zh, language, name_en=name_en or "")
    other = other_name(name, name_zh, language, name_en=name_en)
    if other:
        lang = "" if _zh() else ' lang="zh-Hans"'
        return format_html('{} <span class="alt"{}>({})</span>', shown, mark_safe(lang), other)
    return conditional_escape(shown)


@register.filter
def web_link(url: str) -> str:
    """``url`` when it is an http(s) address with a host, else "": a stored website may be anything
    (``javascript:alert(1)`` came in through a curated file), and only web addresses become links."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else ""


@register.filter
def run_summary(run) -> str:
    """A stored analysis run's summary in the reader's language (observatory.analysis.findings.texts_in)."""
    from observatory.analysis.findings import texts_in

    return texts_in(run, get_language() or "en")["summary"]


@register.filter
def figure_src(figure, fmt: str = "svg") -> str:
    """The address of a run figure drawn in the reader's language."""
    from observatory.analysis.views import figure_url

    return figure_url(figure.run_id, figure.name, fmt)
