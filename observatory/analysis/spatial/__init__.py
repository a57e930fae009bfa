"""Point-pattern and territorial measures for innovation spaces (docs/methods.md, "Territory"), one
family per module (as networkx's ``algorithms``):

- :mod:`.projection`: planar coordinates: Albers equal-area and Lambert conformal conic projections
  of China, and the equal-area window of a city's outline (:class:`PolygonWindow`);
- :mod:`.ripley`: Ripley's K and Besag's L in rectangular and polygonal windows, with envelopes
  under complete spatial randomness;
- :mod:`.clark_evans`: the Clark–Evans nearest-neighbour index and its z-test;
- :mod:`.clustering`: great-circle distances, DBSCAN on the sphere, k-distances, distances to named
  clusters;
- :mod:`.divisions`: counts of spaces per administrative division (GB/T 2260).

Planar statistics (Ripley's K, Besag's L, Clark-Evans) need planar coordinates in metres: project
longitude/latitude first with :func:`project_albers_china` (equal-area, the right choice for
densities) or :func:`project_lcc_china` (conformal). Geographic clustering (DBSCAN) works on the
sphere directly with the haversine metric. Nothing here imports Django.

Windows are rectangles ``(xmin, xmax, ymin, ymax)`` in the units of the coordinates. Where a value is
undefined (border-corrected K at distances larger than every point's distance to the border) it is
NaN and documented; :func:`observatory.analysis.network.to_json_safe` turns NaN into ``None``.
"""

from __future__ import annotations

from .clark_evans import clark_evans
from .clustering import dbscan_haversine, distances_to_clusters, k_distance
from .divisions import counts_by_division
from .projection import PolygonWindow, equal_area_window, project_albers_china, project_lcc_china
from .ripley import (
    CORRECTIONS,
    Envelope,
    csr_envelope,
    csr_envelope_polygon,
    ripley_k,
    ripley_l,
    ripley_l_polygon,
)

__all__ = [
    "CORRECTIONS",
    "Envelope",
    "PolygonWindow",
    "clark_evans",
    "counts_by_division",
    "csr_envelope",
    "csr_envelope_polygon",
    "dbscan_haversine",
    "distances_to_clusters",
    "equal_area_window",
    "k_distance",
    "project_albers_china",
    "project_lcc_china",
    "ripley_k",
    "ripley_l",
    "ripley_l_polygon",
]
