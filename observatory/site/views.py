from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from observatory.china import divisions as china_divisions
from observatory.inventory import selectors
from observatory.inventory.dates import format_fuzzy_date
from observatory.inventory.taxonomy import LAYERS


def entity_list(request):
    kind = request.GET.get("kind", "")
    layer = request.GET.get("layer", "")
    province = request.GET.get("province", "")
    query = request.GET.get("q", "").strip()[:200]
    queryset = selectors.entity_list(kind=kind, layer=layer, province=province, query=query)
    page = Paginator(queryset, settings.OBSERVATORY_PAGE_SIZE).get_page(request.GET.get("page"))
    provinces = sorted({code for code in selectors.entity_list().values_list("province_code", flat=True) if code})
    return render(request, "site/entity_list.html", {
        "page": page, "kinds": selectors.kind_labels(), "layers": LAYERS, "kind": kind, "layer": layer,
        "province": province, "query": query,
        "provinces": [(code, _division_name(code)) for code in provinces],
    })


def entity_detail(request, slug):
    entity = selectors.entity_detail(slug)
    if entity is None:
        raise Http404("No such entity")
    return render(request, "site/entity_detail.html", {
        "entity": entity,
        "founded": format_fuzzy_date(entity.founded, entity.founded_precision),
        "closed": format_fuzzy_date(entity.closed, entity.closed_precision),
        "relations": selectors.entity_relations_grouped(entity),
        "locations": [(loc, _division_name(loc.prefecture_code or loc.province_code)) for loc in entity.locations.all()],
        "statuses": [(s, format_fuzzy_date(s.date, s.date_precision)) for s in entity.statuses.all()],
    })


def _division_name(code: str) -> str:
    if not code:
        return ""
    division = china_divisions.division_by_code(code)
    return division.name_zh if division is not None else code


@cache_control(max_age=86400, public=True)
def provinces_geojson(request):
    """The bundled province outlines (WGS-84): the map's base layer that needs no tile server."""
    return JsonResponse(china_divisions.provinces_geojson())
