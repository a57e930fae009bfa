"""Labels of the inventory's vocabularies in the reader's language."""

from django import template
from django.utils.translation import get_language

from observatory.inventory.taxonomy import KINDS, LAYERS

register = template.Library()

LAYER_ZH = {"physical": "实体空间", "organizational": "组织", "virtual": "线上社群"}


def _zh() -> bool:
    return (get_language() or "").startswith("zh")


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
