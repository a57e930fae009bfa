"""Concentration by administrative division: the number of spaces per GB/T 2260 division.

Division codes are the six digits of GB/T 2260: two for the province, two for the prefecture, two
for the county. A code aggregates to its province
(``440000``) or prefecture (``440300``) by zeroing the lower digits; densities are these counts over
the divisions' areas on an equal-area projection (the spatial runner).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["counts_by_division"]


def counts_by_division(codes: Iterable, *, level: str = "as_is") -> pd.Series:
    """Number of spaces per administrative division (GB/T 2260 six-digit codes).

    Parameters
    ----------
    codes : iterable of str or int
        Division code of each space (e.g. ``"440304"`` for Futian district, Shenzhen); None/empty
        entries are skipped and counted in ``attrs["missing"]``.
    level : {"as_is", "province", "prefecture"}
        Aggregate to the province (``"440000"``) or prefecture (``"440300"``) containing each code.

    Returns
    -------
    Series of counts indexed by code, ascending code order, named ``"count"``.

    Examples
    --------
    >>> counts_by_division(["440304", "440305", "110105", None], level="prefecture").to_dict()
    {'110100': 1, '440300': 2}
    """
    if level not in ("as_is", "province", "prefecture"):
        raise ValueError(f"level={level!r}: use 'as_is', 'province' or 'prefecture'")
    clean, missing = [], 0
    for code in codes:
        if code is None or (isinstance(code, float) and math.isnan(code)) or str(code).strip() == "":
            missing += 1
            continue
        text = str(code).strip()
        if not (text.isdigit() and len(text) == 6):
            raise ValueError(f"division code {code!r} is not a six-digit GB/T 2260 code (e.g. '440304')")
        if level == "province":
            text = text[:2] + "0000"
        elif level == "prefecture":
            text = text[:4] + "00"
        clean.append(text)
    counts = pd.Series(clean, dtype=object).value_counts().sort_index()
    counts.name = "count"
    counts.index.name = "division"
    counts.attrs["missing"] = missing
    return counts.astype(np.int64)
