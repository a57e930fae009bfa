"""The territorial runner: counts and densities per division, hotspots and point patterns of spaces."""

from __future__ import annotations

from collections import Counter

import numpy as np
from django.utils.translation import gettext_lazy as _

from .. import graphs
from ..services import AnalysisInputError
from .base import render_figures

#: Ripley's K of a larger pattern is estimated on a random subsample of this many points (O(n²) pairs;
#: the CSR envelope is simulated for that many points too). 2,000 until the performance work of
#: issue 4: 1,000 makes the 40 K estimates of a large prefecture four times cheaper, for an error
#: measured and stated in docs/methods.md.
MAX_PATTERN_POINTS = 1000
#: Patterns with more points than this (before any subsample) get 39 CSR simulations (pointwise level
#: 0.05) instead of 99 (0.02).
LARGE_PATTERN_POINTS = 1000

# Named clusters of the ecosystem (WGS-84 lat, lon), for distances from each space.
NAMED_CLUSTERS = {
    "Huaqiangbei (Shenzhen)": (22.5442, 114.0826),
    "Zhongguancun (Beijing)": (39.9834, 116.3160),
    "Yangpu / Tongji (Shanghai)": (31.2839, 121.5015),
}


def _project_km(lng, lat):
    from .. import spatial

    x, y = spatial.project_albers_china(np.asarray(lng, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x) / 1000.0, np.asarray(y) / 1000.0


def _division_areas_km2(codes: set[str], level: str) -> dict[str, float]:
    """Areas of divisions from the bundled outlines, in km² on the equal-area projection."""
    import shapely
    from shapely.geometry import shape

    from observatory.china import divisions

    collection = divisions.provinces_geojson() if level == "province" else divisions.prefectures_geojson()
    areas = {}
    for feature in collection["features"]:
        properties = feature.get("properties", {})
        code = str(properties.get("code") or properties.get("adcode") or "")
        if code not in codes:
            continue
        geometry = shapely.transform(shape(feature["geometry"]),
                                     lambda xy: np.column_stack(_project_km(xy[:, 0], xy[:, 1])))
        areas[code] = float(geometry.area)
    return areas


#: Below this many precise points in a city, no point-pattern statistic is computed: Clark–Evans'
#: normal approximation and a CSR envelope of L(r) say little about so few points (Baddeley, Rubak &
#: Turner 2015 discuss the low power of such tests on small patterns). A run parameter.
MIN_PATTERN_POINTS = 20
#: Kinds that never enter a point pattern, whatever the parameters: they are not places with
#: premises of their own (an event, a ministry, a policy programme, a design).
NEVER_POINT_KINDS = ("event", "government_body", "government_programme", "project")


def _space_kinds(parameters: dict) -> list[str]:
    from observatory.inventory.taxonomy import KINDS, VIRTUAL

    value = parameters.get("kinds")
    if value in (None, "", []):
        return [k for k, (_en, _zh, _layer, group) in KINDS.items() if group == "space"]
    kinds = [k.strip() for k in value.split(",")] if isinstance(value, str) else [str(k) for k in value]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise AnalysisInputError(f"kinds: unknown kind(s) {', '.join(map(repr, unknown))}; accepted: {', '.join(KINDS)}")
    refused = [k for k in kinds if k in NEVER_POINT_KINDS or KINDS[k][2] == VIRTUAL]
    if refused:
        raise AnalysisInputError(f"kinds: {', '.join(map(repr, refused))} never enter a point pattern (events, "
                                 "government bodies and programmes, projects and online communities are not places)")
    return kinds


def _city_outlines(codes: set[str]) -> dict:
    """WGS-84 shapely outlines of the cities (prefecture-level units; a municipality's own province-level
    outline) with these codes, from the bundled boundaries."""
    from shapely.geometry import shape

    from observatory.china import divisions

    outlines = {}
    for collection in (divisions.prefectures_geojson(), divisions.provinces_geojson()):
        for feature in collection["features"]:
            properties = feature.get("properties", {})
            code = str(properties.get("code") or "")
            if code in codes and code not in outlines and properties.get("level") in ("prefecture", "province"):
                outlines[code] = shape(feature["geometry"])
    return outlines


def run_spatial(*, parameters: dict, seed: int | None, progress=None) -> dict:
    """Spaces only (the kinds are a parameter): counts and densities per division, hotspots (DBSCAN,
    haversine), distances to named clusters, and in each city with enough precise points Clark–Evans
    (window area, Donnelly's edge correction) and Besag's L(r) (border-corrected) with a seeded
    Monte-Carlo envelope of complete spatial randomness, both in the city's own outline projected to an
    equal-area plane."""
    from .. import spatial
    from ..findings import Caveats, Excluded, in_both, sample

    kinds = _space_kinds(parameters)
    try:
        minimum = int(parameters.get("min_points_pattern", MIN_PATTERN_POINTS))
    except (TypeError, ValueError):
        raise AnalysisInputError("min_points_pattern must be a whole number") from None
    parameters.update(kinds=kinds, min_points_pattern=minimum)
    everything = graphs.spatial_points()
    if everything.empty:
        raise AnalysisInputError("no entity has a location: add locations before the territorial analysis")
    excluded = Excluded()
    not_space = ~everything["kind"].isin(kinds)
    excluded.add(_("not a space (kind not among the run's kinds)"), int(not_space.sum()))
    points = everything[~not_space].reset_index(drop=True)
    if points.empty:
        raise AnalysisInputError(f"no located entity is of the kinds {', '.join(kinds)}: add locations of spaces "
                                 "before the territorial analysis")
    notes: list[dict] = []
    caveats = Caveats()
    unplaced = int((points["province_code"].fillna("") == "").sum())
    excluded.add(_("outside the bundled divisions (abroad or at sea)"), unplaced)
    coarse = int((~points["point_ok"]).sum())
    if coarse:
        notes.append(in_both(_("%(n)s locations coarser than street level (or placed at a division centroid) are "
                               "counted per division but left out of point-pattern statistics"), n=coarse))
        share = coarse / len(points)
        caveats.add(in_both(_("%(share)s of the located spaces (%(k)s of %(n)s) are placed only at district level "
                              "or coarser: they count per division but not in hotspots or point patterns."),
                            share=f"{share:.0%}", k=coarse, n=len(points)))
    caveats.add(in_both(_("Counts are of the spaces recorded in the inventory, not of all spaces that exist: a dense "
                          "area may also be a well-documented one.")))
    result: dict = {"kinds": kinds, "n_points": len(points) - unplaced}
    for level in ("province", "prefecture"):
        codes = points[f"{level}_code"].fillna("").tolist()   # a list: iterating the Series boxes each value
        counts = {code: int(n) for code, n in Counter(c for c in codes if c).most_common()}
        areas = _division_areas_km2(set(counts), level)
        result.setdefault("counts", {})[level] = counts
        result.setdefault("density_per_10k_km2", {})[level] = {
            code: round(n / areas[code] * 10000, 4) for code, n in counts.items() if areas.get(code)}
    if unplaced:
        notes.append(in_both(_("%(n)s points fall outside the bundled divisions (abroad or at sea) and are not "
                               "counted"), n=unplaced))
    exact = points[points["point_ok"]].reset_index(drop=True)
    result["n_exact"] = len(exact)
    eps_km = float(parameters.get("eps_km", 2.0))
    min_samples = int(parameters.get("min_samples", 4))
    figures: dict = {}
    if len(exact) >= 2:
        latlon = exact[["lat", "lng"]].to_numpy(dtype=float)
        labels = spatial.dbscan_haversine(latlon, eps_km, min_samples)
        members: dict[int, list[str]] = {}
        for slug, label in zip(exact["slug"].tolist(), labels.tolist(), strict=True):
            if label >= 0:
                members.setdefault(int(label), []).append(slug)
        result["hotspots"] = {
            "eps_km": eps_km, "min_samples": min_samples, "n_clusters": len(members), "n": len(exact),
            "noise": int((labels < 0).sum()),
            "clusters": [{"id": k, "size": len(v), "members": v,
                          "centre": [float(latlon[labels == k, 0].mean()), float(latlon[labels == k, 1].mean())]}
                         for k, v in sorted(members.items())],
        }
        distances = spatial.distances_to_clusters(latlon, NAMED_CLUSTERS)
        result["nearest_cluster"] = {
            slug: {"name": name, "km": km}
            for slug, name, km in zip(exact["slug"].tolist(), distances["nearest"].tolist(),
                                      distances["nearest_km"].astype(float).tolist(), strict=True)}
    else:
        notes.append(in_both(_("fewer than 2 precise points: no hotspot detection")))
    rng_seed = seed if seed is not None else 0
    patterns = {}
    max_points = int(parameters.get("max_points_pattern", MAX_PATTERN_POINTS))
    large = int(parameters.get("large_pattern", LARGE_PATTERN_POINTS))
    nsim_small = int(parameters.get("nsim", 99))
    nsim_large = int(parameters.get("nsim_large", 39))
    subsampled = []
    by_city = {code: group for code, group in exact.groupby("prefecture_code") if code}
    outlines = _city_outlines(set(by_city))
    too_few = 0
    for code, group in by_city.items():
        if code not in outlines:
            continue
        window = spatial.equal_area_window(outlines[code])
        x, y = window.project(group["lng"].to_numpy(), group["lat"].to_numpy())
        xy = np.column_stack([x, y])
        entry = {"name": _division_label(code), "n": len(xy),
                 "window": {"source": "outline", "division_code": code, "area_km2": window.area_km2,
                            "perimeter_km": window.perimeter_km,
                            "projection": "Lambert azimuthal equal-area centred on the outline (WGS-84), km"}}
        if len(xy) < minimum:
            too_few += 1
            entry["statistics"] = None
            entry["reason"] = in_both(_("too few points for a point-pattern test (%(n)s < %(min)s)"), n=len(xy),
                                      min=minimum)
            patterns[code] = entry
            continue
        ce = spatial.clark_evans(xy, (x.min() - 1, x.max() + 1, y.min() - 1, y.max() + 1), correction="Donnelly",
                                 area=window.area_km2, perimeter=window.perimeter_km)
        xmin, ymin, xmax, ymax = window.polygon.bounds
        r_max = 0.25 * min(xmax - xmin, ymax - ymin)
        r = np.linspace(0, r_max, 26)[1:]
        # Ripley's K costs O(n²) pairs at these radii: above max_points, K is estimated on a seeded random
        # subsample (independent thinning leaves K unchanged), and the envelope is simulated for that n.
        used = xy
        if len(xy) > max_points:
            stream = np.random.default_rng([rng_seed, int(code) if str(code).isdigit() else len(patterns)])
            pick = np.sort(stream.choice(len(xy), max_points, replace=False))
            used = xy[pick]
            subsampled.append(code)
        nsim = nsim_large if len(xy) > large else nsim_small
        L = spatial.ripley_l_polygon(used, window, r)
        envelope = spatial.csr_envelope_polygon(len(used), window, r, nsim=nsim,
                                                seed=[rng_seed, int(code) if str(code).isdigit() else 0])
        entry["statistics"] = {
            "clark_evans": ce,
            "ripley": {"r_km": r, "L": L, "envelope_lo": envelope.lo, "envelope_hi": envelope.hi,
                       "correction": "border", "n": len(used), "subsampled": len(used) < len(xy), "nsim": nsim,
                       "envelope_level": 2 / (nsim + 1),
                       "null_model": "complete spatial randomness in the outline (pointwise Monte-Carlo envelope)"}}
        patterns[code] = entry
    result["min_points_pattern"] = minimum
    result["point_patterns"] = patterns
    tested = {c: p for c, p in patterns.items() if p["statistics"] is not None}
    if too_few:
        caveats.add(in_both(_("%(k)s of %(n)s cities have fewer than %(min)s precise points: no point-pattern "
                              "statistic is given for them."), k=too_few, n=len(patterns), min=minimum))
    if tested:
        caveats.add(in_both(_("Complete spatial randomness in a whole city outline ignores that spaces follow "
                              "population and built-up land: clustering against it is expected and says where, not "
                              "why.")))
    if subsampled:
        notes.append(in_both(_("Ripley's L and its envelope are estimated on a random subsample of %(k)s points in "
                               "%(n)s cities with more precise points (%(cities)s); Clark–Evans uses every point"),
                             k=max_points, n=len(subsampled), cities=", ".join(subsampled)))
    if tested:
        best = max(tested, key=lambda c: tested[c]["n"])
        ripley = tested[best]["statistics"]["ripley"]

        def _ripley():
            from django.utils.translation import gettext

            from .. import figures as figs

            return figs.ripley_l_plot(ripley["r_km"], ripley["L"], ripley["envelope_lo"], ripley["envelope_hi"],
                                      gettext("Ripley L(r) − r, %(place)s (km)") % {"place": _division_label(best)})

        figures.update(render_figures({"ripley-l": (in_both(_("Ripley's L for %(place)s (n = %(n)s)"),
                                                      place=_division_names(best), n=tested[best]["n"]), _ripley)}))
    else:
        notes.append(in_both(_("no city has %(min)s or more precise points of spaces: Clark–Evans and Ripley's L are "
                               "not computed"), min=minimum))

    def _counts():
        from django.utils.translation import gettext

        from .. import figures as figs

        return figs.counts_bar({_division_label(c): n for c, n in list(result["counts"]["province"].items())[:20]},
                               gettext("Spaces per province"))

    figures.update(render_figures({"counts-by-province": (in_both(_("Spaces per province (n = %(n)s)"),
                                                            n=result["n_points"]), _counts)}))
    most = [(_division_names(c), n) for c, n in list(result["counts"]["province"].items())[:3]]
    summary = in_both(
        _("%(n)s located spaces; most in %(top)s. %(e)s precise points%(hotspots)s; %(t)s cities with %(min)s or "
          "more precise points tested against complete spatial randomness."),
        n=result["n_points"], e=len(exact), t=len(tested), min=minimum,
        top={"en": ", ".join(f"{name['en']} {n}" for name, n in most),
             "zh": "、".join(f"{name['zh']} {n}" for name, n in most)},
        hotspots="" if "hotspots" not in result else in_both(
            _(", %(h)s hotspots at eps = %(eps)s km"), h=result["hotspots"]["n_clusters"], eps=f"{eps_km:g}"))
    result["sample"] = sample(result["n_points"], excluded)
    result["caveats"] = caveats
    return {"result": result, "summary": summary, "notes": notes, "figures": figures, "reasons": excluded.texts}


def _division_label(code: str) -> str:
    return _division_names(code)["en"]


def _division_names(code: str) -> dict[str, str]:
    """A division's name for English readers (Chinese and English names) and for Chinese ones."""
    from observatory.china import divisions

    unit = divisions.division_by_code(code) if code else None
    if unit is None:
        return {"en": code or "unknown", "zh": code or "未知"}
    return {"en": f"{unit.name_zh} {unit.name_en}", "zh": unit.name_zh}
