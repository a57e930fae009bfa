from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control

from observatory.china.names import is_chinese_language

from .models import AnalysisFigure


@cache_control(max_age=31536000, public=True, immutable=True)
def figure(request, run_id: int, name: str, fmt: str, language: str = "en"):
    """A stored figure of a run, as SVG or PNG, drawn in ``language`` (the address says which:
    ``figure_url``). A run never changes, so figures are cached for good."""
    item = AnalysisFigure.objects.filter(run_id=run_id, name=name, run__status="done").first()
    if item is None:
        raise Http404("No such figure")
    if fmt == "svg":
        return HttpResponse(item.drawing("svg", language), content_type="image/svg+xml; charset=utf-8")
    return HttpResponse(item.drawing("png", language), content_type="image/png")


def figure_url(run_id: int, name: str, fmt: str = "svg", language: str | None = None) -> str:
    """The address of a run's figure drawn for a reader of ``language`` (default: the active one)."""
    if language is None:
        language = get_language()
    chinese = is_chinese_language(language)
    return reverse("analysis:figure_zh" if chinese else "analysis:figure", args=[run_id, name, fmt])
