"""The CJK font for matplotlib figures: shipped by a Python package, never assumed on the system.

Figures carry Chinese labels (place names, 创客空间 …). Matplotlib's bundled DejaVu Sans has no
CJK glyphs, and a server or CI machine usually has no CJK system font, so a figure would silently
render empty boxes ("tofu"). The font therefore comes from a locked PyPI dependency:

    pylopdf-fonts-zh-cn — Noto Sans SC Regular (OpenType/CFF), SIL Open Font License 1.1

Pure Python (no Django). Typical use, before drawing::

    from observatory.fonts import use_cjk_font
    use_cjk_font()                                   # global matplotlib.rcParams
    # or, scoped:
    with matplotlib.rc_context(use_cjk_font({})):
        ...

See docs/assets.md for why this package and not another.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

__all__ = [
    "CJK_FONT_FAMILY",
    "CJK_FONT_PACKAGE",
    "cjk_font_path",
    "use_cjk_font",
]

#: The PyPI distribution that ships the font (lock it in requirements).
CJK_FONT_PACKAGE = "pylopdf-fonts-zh-cn"
#: Its import name, and the font file inside it.
CJK_FONT_MODULE = "pylopdf_fonts_zh_cn"
CJK_FONT_FILE = "NotoSansSC-Regular.otf"
#: The family name matplotlib reads from the file.
CJK_FONT_FAMILY = "Noto Sans SC"


def _missing(reason: str) -> RuntimeError:
    return RuntimeError(
        f"The CJK font for figures is missing ({reason}). Chinese labels would render as empty "
        f"boxes. Install the package that ships it: `pip install {CJK_FONT_PACKAGE}` "
        f"(it is locked in requirements/lock.txt; `make install` installs it)."
    )


def cjk_font_path() -> Path:
    """Return the path of the Noto Sans SC font file inside the installed font package.

    Raises RuntimeError, naming the package to install, when it is not installed or the file is
    not where it should be.
    """
    try:
        root = importlib.resources.files(CJK_FONT_MODULE)
    except ModuleNotFoundError as exc:
        raise _missing(f"the Python package {CJK_FONT_MODULE!r} is not installed") from exc
    # The package installs as a plain directory (it is a wheel of data files), so the resource is
    # a real file matplotlib can open by name; anything else (e.g. a zip import) is refused here
    # rather than failing later inside matplotlib.
    path = Path(str(root.joinpath(CJK_FONT_FILE)))
    if not path.is_file():
        raise _missing(f"{CJK_FONT_FILE} not found in {root}")
    return path


def _register(path: Path) -> str:
    """Add the font file to matplotlib's font manager once; return its family name."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    if not any(Path(entry.fname) == path for entry in manager.ttflist):
        manager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def use_cjk_font(matplotlib_rcparams: MutableMapping[str, Any] | None = None) -> MutableMapping[str, Any]:
    """Make matplotlib draw text with the packaged CJK font; return the rc mapping it changed.

    Registers the font with matplotlib's font manager (process-wide), then sets, in
    ``matplotlib_rcparams`` (default: the global ``matplotlib.rcParams``):

    * ``font.family`` = sans-serif, with Noto Sans SC first in ``font.sans-serif`` (it has Latin
      glyphs too, so mixed text such as "柴火创客空间 Chaihuo" uses one font; the previous
      entries stay behind it as fallbacks);
    * ``axes.unicode_minus`` = False, so negative tick labels use the ASCII hyphen-minus rather
      than U+2212 and never depend on one more glyph.

    Passing an empty dict gives the settings for a scoped ``matplotlib.rc_context(...)``.
    """
    import matplotlib

    family = _register(cjk_font_path())
    rc = matplotlib.rcParams if matplotlib_rcparams is None else matplotlib_rcparams
    current = rc.get("font.sans-serif") or matplotlib.rcParams["font.sans-serif"]
    rc["font.family"] = ["sans-serif"]
    rc["font.sans-serif"] = [family, *(name for name in current if name != family)]
    rc["axes.unicode_minus"] = False
    return rc
