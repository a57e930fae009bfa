from django.http import Http404, HttpResponse
from django.views.decorators.cache import cache_control

from .models import AnalysisFigure


@cache_control(max_age=31536000, public=True, immutable=True)
def figure(request, run_id: int, name: str, fmt: str):
    """A stored figure of a run, as SVG or PNG. A run never changes, so figures are cached for good."""
    item = AnalysisFigure.objects.filter(run_id=run_id, name=name, run__status="done").first()
    if item is None:
        raise Http404("No such figure")
    if fmt == "svg":
        return HttpResponse(item.svg, content_type="image/svg+xml; charset=utf-8")
    return HttpResponse(bytes(item.png), content_type="image/png")
