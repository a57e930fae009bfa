"""Reads for the public pages, one module per concern: ranked search (:mod:`.search`), map points
and clusters (:mod:`.maps`), the network explorer (:mod:`.network`), key figures, analysis runs and
the timeline (:mod:`.figures`), and the one memo they keep their answers in (:mod:`.memo`)."""

from __future__ import annotations

from observatory.pagecache import data_signature_reset, data_version_bump

from .figures import (
    analysis_latest,
    brokers_top,
    home_figures,
    timeline_per_year,
    timeline_totals,
)
from .maps import PRECISION_RADIUS_M, PointTable, choropleth, map_clusters, map_filter_options, point_table
from .memo import memo_reset
from .network import LAYER_COLOURS, NETWORK_METRICS, NETWORK_VIEWS, network_data
from .search import SearchHit, search_ranked

__all__ = ["LAYER_COLOURS", "NETWORK_METRICS", "NETWORK_VIEWS", "PRECISION_RADIUS_M", "PointTable", "SearchHit", "analysis_latest",
           "brokers_top", "choropleth", "home_figures", "map_clusters", "map_filter_options",
           "network_data", "point_table", "search_ranked", "signature_reset", "timeline_per_year",
           "timeline_totals"]


def signature_reset() -> None:
    """Forget every kept answer and the data signature, and bump the page cache's data version
    (tests that change data within the signature's few seconds call this)."""
    memo_reset()
    data_signature_reset()
    data_version_bump()
