"""The packaged CJK font really renders Chinese in matplotlib figures (no tofu)."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib import font_manager  # noqa: E402

import observatory.fonts as fonts  # noqa: E402
from observatory.fonts import CJK_FONT_FAMILY, CJK_FONT_PACKAGE, cjk_font_path, use_cjk_font  # noqa: E402

TITLE = "柴火创客空间 Chaihuo"


def _render(fmt: str) -> bytes:
    """Draw a figure with the Chinese title, a Chinese axis label and negative ticks."""
    fig, ax = plt.subplots(figsize=(4, 3))
    try:
        ax.set_title(TITLE)
        ax.set_xlabel("年份")
        ax.plot([-2, -1, 0, 1], [3, -1, 2, -4])
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt)
        return buffer.getvalue()
    finally:
        plt.close(fig)


def test_font_comes_from_the_package():
    path = cjk_font_path()
    assert path.is_file()
    assert path.suffix in {".otf", ".ttf", ".ttc"}
    assert "site-packages" in path.parts or "dist-packages" in path.parts  # never a system font


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_chinese_title_renders_without_missing_glyphs(fmt):
    with matplotlib.rc_context(use_cjk_font({})):
        # The font matplotlib picks for ordinary text is the packaged one...
        chosen = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
        assert chosen == str(cjk_font_path())
        # ...and every glyph is found: matplotlib's "Glyph ... missing from font(s)" warning
        # becomes an error.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            data = _render(fmt)
    assert len(data) > 1000
    if fmt == "png":
        assert data.startswith(b"\x89PNG")
    if fmt == "svg":
        assert b"<svg" in data


def test_missing_glyphs_are_detected_without_the_font():
    """Control: the check above is real — with only DejaVu Sans, the same figure warns."""
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"], "font.sans-serif": ["DejaVu Sans"]}):
        with pytest.warns(UserWarning, match="missing from font"):
            _render("png")


def test_use_cjk_font_sets_family_and_minus():
    rc = use_cjk_font({"font.sans-serif": ["DejaVu Sans", "Arial"]})
    assert rc["font.family"] == ["sans-serif"]
    assert rc["font.sans-serif"] == [CJK_FONT_FAMILY, "DejaVu Sans", "Arial"]
    assert rc["axes.unicode_minus"] is False
    # Idempotent: registering twice adds the font once.
    use_cjk_font({})
    entries = [e for e in font_manager.fontManager.ttflist if e.fname == str(cjk_font_path())]
    assert len(entries) == 1


def test_use_cjk_font_updates_global_rcparams_by_default():
    with matplotlib.rc_context():
        assert use_cjk_font() is matplotlib.rcParams
        assert matplotlib.rcParams["font.sans-serif"][0] == CJK_FONT_FAMILY
        assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_missing_package_names_what_to_install(monkeypatch):
    monkeypatch.setattr(fonts, "CJK_FONT_MODULE", "observatory_no_such_font_package")
    with pytest.raises(RuntimeError, match=CJK_FONT_PACKAGE):
        cjk_font_path()


def test_missing_file_names_what_to_install(monkeypatch):
    monkeypatch.setattr(fonts, "CJK_FONT_FILE", "NoSuchFont.otf")
    with pytest.raises(RuntimeError, match=CJK_FONT_PACKAGE):
        cjk_font_path()
