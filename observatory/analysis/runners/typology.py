"""The typology runner: specific MCA of coded entities, HCPC types validated by silhouette and bootstrap."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy as _

from observatory.china.names import is_chinese_language

from .. import graphs
from ..services import AnalysisInputError
from .base import render_figures

#: Cluster stability (bootstrap Jaccard, a Ward clustering per resample) is assessed on at most this many rows.
MAX_BOOTSTRAP_ROWS = 2000


def _stability_rows(labels: np.ndarray, limit: int, seed: int) -> np.ndarray:
    """Rows on which cluster stability is assessed: all of them up to ``limit``, else a seeded random
    subsample of about ``limit`` rows stratified by cluster (each cluster in proportion, at least
    min(its size, 10) rows, so that no type goes missing)."""
    n = len(labels)
    if n <= limit:
        return np.arange(n)
    rng = np.random.default_rng([seed, n])
    picked = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        take = min(members.size, max(10, round(members.size * limit / n)))
        picked.append(rng.choice(members, take, replace=False))
    return np.sort(np.concatenate(picked))


#: An entity enters the typology only when coded on at least this many of the codebook's dimensions (form,
#: practice, business, knowledge, governance, embeddedness; parameter ``dimensions`` names fewer): an entity
#: coded on one dimension says nothing about the others.
MIN_CODED_DIMENSIONS = 2
#: A type is marked doubtful below this mean bootstrap Jaccard (Hennig 2007: below 0.75 a pattern
#: whose membership is doubtful; below 0.6 not to be trusted).
STABLE_JACCARD = 0.75
#: No type is named from fewer members than this: its modal traits would describe a handful of cases.
MIN_TYPE_MEMBERS = 5


def run_typology(*, parameters: dict, seed: int | None, progress=None) -> dict:
    """Specific MCA of coded entities (a dimension never coded is missing, a passive category, not
    "no"; the kind is supplementary only), Ward clustering on the retained axes (HCPC), validated by
    silhouette and bootstrap Jaccard (Hennig 2007); types described by v-tests, named only when large
    enough, marked doubtful when unstable."""
    from .. import typology
    from ..findings import Caveats, Excluded, in_both, sample

    try:
        min_dimensions = int(parameters.get("min_dimensions", MIN_CODED_DIMENSIONS))
        stable = float(parameters.get("stable_jaccard", STABLE_JACCARD))
        min_members = int(parameters.get("min_type_members", MIN_TYPE_MEMBERS))
    except (TypeError, ValueError):
        raise AnalysisInputError("min_dimensions and min_type_members must be whole numbers, stable_jaccard a "
                                 "number between 0 and 1") from None
    accepted = graphs.codebook_dimensions()
    dimensions = parameters.get("dimensions") or accepted
    if not isinstance(dimensions, (list, tuple)) or not all(isinstance(d, str) for d in dimensions):
        raise AnalysisInputError(f"dimensions must be a list of the codebook's dimension keys, e.g. {list(accepted)}")
    unknown = sorted(set(dimensions) - set(accepted))
    if unknown:
        raise AnalysisInputError(f"unknown dimension(s) {unknown}; accepted: {list(accepted)}")
    parameters.update(min_dimensions=min_dimensions, stable_jaccard=stable, min_type_members=min_members,
                      dimensions=list(dimensions))
    full = graphs.typology_table(dimensions=tuple(dimensions))
    excluded = Excluded()
    if full.empty:
        raise AnalysisInputError("only 0 coded entities: code at least 5 entities before the typology")
    thin = full["n_dimensions"] < min_dimensions
    excluded.add(_("coded on fewer than %(n)s dimensions"), int(thin.sum()), n=min_dimensions)
    table = full[~thin]
    if len(table) < 5:
        raise AnalysisInputError(f"only {len(table)} coded entities are coded on {min_dimensions} or more dimensions: "
                                 "code at least 5 entities before the typology")
    kind_group = table["kind_group"]
    table = table.drop(columns=["kind_group", "n_dimensions"])
    labels_en = full.attrs.get("labels", {})
    active_values = table.apply(lambda col: col[col != graphs.MISSING].nunique())
    constant = [c for c in table.columns if active_values[c] < 2]
    notes = [in_both(_("variable %(v)s has one known category only and is left out"), v=repr(c)) for c in constant]
    rare = [c for c in table.columns if c not in constant and (table[c] == "yes").sum() < int(
        parameters.get("min_count", 3))]
    if rare:
        notes.append(in_both(_("%(n)s codes used by fewer than %(m)s entities are left out (too rare to shape a type)"),
                             n=len(rare), m=parameters.get("min_count", 3)))
    table = table.drop(columns=constant + rare)
    if table.shape[1] < 2:
        raise AnalysisInputError("fewer than two variables vary across coded entities: nothing to analyse")
    missing_share = float((table == graphs.MISSING).to_numpy().mean())
    result_mca = typology.mca(table, passive=(graphs.MISSING,))
    J = result_mca.J
    keep = int(parameters.get("axes") or max(2, min(5, int((np.asarray(result_mca.eigenvalues) > 1 / J).sum()))))
    coords = result_mca.row_coords.iloc[:, :keep].to_numpy(dtype=float)
    rng_seed = seed if seed is not None else 0
    clusters = typology.hcpc(coords, max_clusters=min(8, len(table) - 1), seed=rng_seed)
    cluster_labels = np.asarray(clusters.labels)
    quality = typology.silhouette(coords, cluster_labels) if clusters.n_clusters > 1 else {"average": None}
    n_boot = int(parameters.get("n_boot", 50))
    boot_rows = _stability_rows(cluster_labels, int(parameters.get("max_boot_rows", MAX_BOOTSTRAP_ROWS)), rng_seed)
    stability = typology.bootstrap_jaccard(coords[boot_rows], cluster_labels[boot_rows], n_boot=n_boot, seed=rng_seed)
    stability_info = {"n_boot": n_boot, "n_rows": int(boot_rows.size), "of": len(coords),
                      "subsampled": bool(boot_rows.size < len(coords)), "doubtful_below": stable,
                      "method": "bootstrap Jaccard (Hennig 2007), Ward clustering of each resample"}
    if stability_info["subsampled"]:
        notes.append(in_both(_("cluster stability (bootstrap Jaccard, %(b)s resamples) is assessed on a stratified "
                               "random subsample of %(k)s of the %(n)s coded entities (each resample is clustered "
                               "again with Ward, O(n²)); smaller samples are less stable, so the Jaccard values are "
                               "conservative"), b=n_boot, k=boot_rows.size, n=len(coords)))
    indicator = typology.indicator_matrix(table)
    indicator = indicator[[c for c in indicator.columns if not c.endswith(f"__{graphs.MISSING}")]]
    vtests = typology.vtest(indicator, cluster_labels)
    readable = {col: labels_en.get(col, col) for col in table.columns}
    categories = {}
    for column in table.columns:
        for value in table[column].unique():
            if value == "yes":
                categories[f"{column}__yes"] = readable[column]
            elif value == "no":
                categories[f"{column}__no"] = f"no {readable[column].lower()}"
            elif value != graphs.MISSING:
                categories[f"{column}__{value}"] = f"{column.replace('_', ' ')}: {value}"
    # the same categories named in Chinese: the vocabulary's Chinese labels where it has them
    labels_zh = full.attrs.get("labels_zh", {})
    categories_zh = {}
    for key, text in categories.items():
        column, value = key.rsplit("__", 1)
        label = labels_zh.get(column) or readable.get(column, column)
        categories_zh[key] = (label if value == "yes" else
                              in_both(_("no %(code)s"), code=label)["zh"] if value == "no" else text)
    names = typology.name_types(vtests, labels=categories)
    names_zh = typology.name_types(vtests, labels=categories_zh, modal=in_both(_(" (modal)"))["zh"])
    # the kind: supplementary only, cross-tabulated against the types after the fact
    supplementary_z = pd.get_dummies(kind_group.rename("kind")).astype(float)
    supplementary_z.columns = [f"kind__{c}" for c in supplementary_z.columns]
    kind_vtests = typology.vtest(supplementary_z, cluster_labels)
    members: dict[int, list[str]] = {}
    for slug, label in zip(table.index.tolist(), cluster_labels.tolist(), strict=True):
        members.setdefault(int(label), []).append(slug)
    types = []
    for label, slugs in sorted(members.items()):
        row = stability.loc[label] if label in stability.index else None
        jaccard = None if row is None else float(row["mean_jaccard"])
        over = vtests[(vtests["cluster"] == label) & (vtests["v_test"] > 1.96)].head(6)
        kinds_here = Counter(kind_group.loc[slugs].tolist())
        named = len(slugs) >= min_members
        types.append({
            "id": label, "name": names.get(label, f"type {label}") if named else None,
            "name_zh": names_zh.get(label, f"类型 {label}") if named else None,
            "name_reason": None if named else in_both(_("not named: %(n)s members, fewer than %(min)s"),
                                                      n=len(slugs), min=min_members),
            "size": len(slugs), "members": slugs, "mean_jaccard": jaccard,
            "verdict": None if row is None else str(row["verdict"]),
            "doubtful": jaccard is None or not jaccard >= stable,
            "kinds_supplementary": dict(kinds_here.most_common()),
            "over_represented": [
                {**r, "label": categories.get(r["category"], r["category"])}
                for r in over[["category", "pct_of_cluster", "pct_overall", "v_test"]].to_dict(orient="records")],
            "supplementary_kinds_over_represented": [
                {**r, "label": r["category"].split("__", 1)[1]}
                for r in kind_vtests[(kind_vtests["cluster"] == label) & (kind_vtests["v_test"] > 1.96)][
                    ["category", "pct_of_cluster", "pct_overall", "v_test"]].to_dict(orient="records")]})
    caveats = Caveats()
    caveats.add(in_both(_("A dimension on which an entity was never coded is missing, not \"no\" (%(share)s of the "
                          "cells): it is a passive category of a specific MCA and shapes no axis."),
                        share=f"{missing_share:.0%}"))
    caveats.add(in_both(_("The kind of an entity is not an input: it is cross-tabulated against the types "
                          "afterwards.")))
    doubtful = [t for t in types if t["doubtful"]]
    if doubtful:
        caveats.add(in_both(_("%(k)s of %(n)s types have a mean bootstrap Jaccard below %(stable)s (Hennig 2007): "
                              "their membership is doubtful."), k=len(doubtful), n=len(types), stable=f"{stable:g}"))
    unnamed = [t for t in types if t["name"] is None]
    if unnamed:
        caveats.add(in_both(_("%(k)s types have fewer than %(min)s members and are not named."), k=len(unnamed),
                            min=min_members))
    if len(table) < 100:
        caveats.add(in_both(_("The typology rests on %(n)s coded entities: types describe this sample, not the "
                              "population of spaces."), n=len(table)))
    mca_dict = result_mca.to_dict()
    described = [in_both(_("%(name)s (%(size)s, doubtful)") if t["doubtful"] else _("%(name)s (%(size)s)"),
                         name={"en": t["name"], "zh": t["name_zh"]} if t["name"] else _("unnamed"), size=t["size"])
                 for t in types]
    summary = in_both(
        _("%(n)s entities coded on %(d)s or more dimensions, %(c)s codes; specific MCA (%(k)s axes kept); %(t)s "
          "types%(quality)s: %(types)s"),
        n=len(table), d=min_dimensions, c=table.shape[1], k=keep, t=len(types),
        quality="" if quality.get("average") is None else in_both(_(" (average silhouette %(s)s)"),
                                                                  s=f"{quality['average']:.2f}"),
        types={"en": "; ".join(d["en"] for d in described), "zh": "；".join(d["zh"] for d in described)})

    def _map():
        from django.utils.translation import get_language

        from .. import figures as figs

        shown = categories_zh if is_chinese_language(get_language()) else categories
        return figs.mca_map(result_mca.row_coords, result_mca.col_coords, shown, clusters=cluster_labels)

    return {"result": {"mca": {k: mca_dict[k] for k in ("eigenvalues", "total_inertia", "percent",
                                                         "benzecri_pct", "greenacre_pct", "J", "K")},
                       "method": "specific MCA (missing = passive category), Ward + k-means (HCPC)",
                       "axes_kept": keep, "row_coords": mca_dict["row_coords"], "col_coords": mca_dict["col_coords"],
                       "silhouette": quality.get("average"), "stability": stability_info, "types": types,
                       "variables": readable, "categories": categories, "missing_share": missing_share,
                       "supplementary": ["kind"],
                       "sample": sample(len(table), excluded), "caveats": caveats},
            "summary": summary, "notes": notes, "reasons": excluded.texts,
            "figures": render_figures({"mca-map": (in_both(_("MCA factor map (n = %(n)s)"), n=len(table)), _map)})}
