"""What every runner shares: reading a date parameter, rendering figures, and running single-threaded."""

from __future__ import annotations

import datetime as dt


def parse_date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


#: The languages every figure is drawn in (its texts and the names in it), the first one the record's.
FIGURE_LANGUAGES = ("en", "zh-hans")


def render_figures(figure_builders: dict) -> dict:
    """Render each figure to SVG and PNG under the packaged CJK font, once per language of
    ``FIGURE_LANGUAGES`` (each build runs with that language active: figures.py and the builders
    translate their texts and pick names with gettext and inventory.models.display_name).
    Each figure is laid out once (``DeterministicFigure.settle``) and then written twice with that
    layout and its tight bounding box: saving with ``bbox_inches="tight"`` under a layout engine
    would lay it out and measure it again for each file.
    Returns ``{name: (title, {language: (svg, png)})}``. The builders make plain ``Figure`` objects
    (no pyplot state, nothing to close), so pyplot is never imported: importing it cost about a
    second per process."""
    import io

    import matplotlib
    from django.utils import translation

    from observatory.fonts import use_cjk_font

    matplotlib.use("Agg")
    out = {}
    with matplotlib.rc_context(use_cjk_font({})):
        for name, (title, build) in figure_builders.items():
            drawn = {}
            for language in FIGURE_LANGUAGES:
                with translation.override(language):
                    try:
                        fig = build()
                    except (ImportError, AttributeError):
                        break
                    if fig is None:
                        break
                    svg, png = io.StringIO(), io.BytesIO()
                    bbox = fig.settle()                    # laid out once for both files
                    fig.savefig(svg, format="svg", bbox_inches=bbox, metadata={"Date": None})
                    fig.savefig(png, format="png", dpi=110, bbox_inches=bbox)
                    drawn[language] = (svg.getvalue(), png.getvalue())
            if len(drawn) == len(FIGURE_LANGUAGES):
                out[name] = (title, drawn)
    return out


def single_threaded(runner, preload: tuple[str, ...] = ()):
    """Run ``runner`` with the BLAS and OpenMP pools of NumPy, SciPy and scikit-learn at one thread.

    The matrices of these analyses are small (a few thousand rows × a few columns), so threads buy
    little even on an idle machine, and on a busy one their spin-waiting made things much slower:
    at 100k entities the bootstrap's 50 k-means fits took 3.3 s with two threads and well under one
    with one, the silhouette 3.3 s against 0.7 s. One thread also makes the k-means sums' order fixed.
    threadpoolctl limits the libraries loaded when the limit is set, so the modules that bring an
    OpenMP runtime (``preload``, scikit-learn's) are imported first."""
    import functools
    import importlib

    @functools.wraps(runner)
    def wrapper(*args, **kwargs):
        try:
            from threadpoolctl import threadpool_limits  # installed with scikit-learn, which requires it
        except ImportError:  # pragma: no cover
            return runner(*args, **kwargs)
        for module in preload:
            importlib.import_module(module)
        with threadpool_limits(limits=1):
            return runner(*args, **kwargs)

    return wrapper
