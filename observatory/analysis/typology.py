"""Typology of innovation spaces: multiple correspondence analysis, HCPC clustering and its validation.

The workflow is FactoMineR's (Husson, Josse & Pagès 2010) as used in the field (docs/methods.md, "Typology"):
:func:`mca` on the coded categorical variables, :func:`hcpc` (Ward on the retained axes, cut where
the inertia gain drops, k-means consolidation), then validation with :func:`silhouette` and
:func:`bootstrap_jaccard`, and description with :func:`vtest` and :func:`name_types`.
Nothing here imports Django.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from scipy.cluster.hierarchy import fcluster, linkage

__all__ = [
    "HCPCResult",
    "MCAResult",
    "bootstrap_jaccard",
    "hcpc",
    "indicator_matrix",
    "mca",
    "name_types",
    "silhouette",
    "vtest",
]

_EPS = 1e-12


# --------------------------------------------------------------------------------------------------
# MCA
# --------------------------------------------------------------------------------------------------

def indicator_matrix(df: pd.DataFrame, *, sep: str = "__") -> pd.DataFrame:
    """Complete disjunctive (indicator) table Z of categorical columns: one 0/1 column per category,
    named ``<variable><sep><category>``, categories in sorted order within each variable.

    Raises ValueError for missing values or a variable with a single category.

    >>> indicator_matrix(pd.DataFrame({"access": ["open", "paid", "open"]})).columns.tolist()
    ['access__open', 'access__paid']
    """
    if df.shape[1] == 0:
        raise ValueError("the table has no columns: pass one categorical variable per column")
    if df.isna().any().any():
        bad = df.columns[df.isna().any()].tolist()
        raise ValueError(f"missing values in {bad}: recode them as an explicit category (e.g. 'unknown') "
                         "or drop the rows before MCA")
    blocks = []
    for column in df.columns:
        values = df[column].astype(str)
        categories = sorted(values.unique())
        if len(categories) < 2:
            raise ValueError(f"variable {column!r} has a single category ({categories[0]!r}); it carries no "
                             "information for MCA: drop it")
        blocks.append(pd.DataFrame({f"{column}{sep}{c}": (values == c).astype(float) for c in categories},
                                   index=df.index))
    return pd.concat(blocks, axis=1)


@dataclass
class MCAResult:
    """Result of :func:`mca` (attribute access or ``result["eigenvalues"]``)."""

    eigenvalues: np.ndarray
    total_inertia: float
    percent: np.ndarray
    benzecri_adjusted: np.ndarray
    benzecri_pct: np.ndarray
    greenacre_total_adjusted_inertia: float
    greenacre_pct: np.ndarray
    row_coords: pd.DataFrame
    col_coords: pd.DataFrame
    J: int
    K: int
    extra: dict = field(default_factory=dict)

    def __getitem__(self, key: str):
        return getattr(self, key)

    def to_dict(self) -> dict:
        """Plain dict (arrays as lists, frames as {index: {axis: value}}) for JSON."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, np.ndarray):
                out[key] = value.tolist()
            elif isinstance(value, pd.DataFrame):
                # row by row from one array (iterrows would build a Series per row)
                out[key] = dict(zip(map(str, value.index), value.to_numpy().tolist(), strict=True))
        return out


def mca(df: pd.DataFrame, *, sep: str = "__", passive: tuple[str, ...] = ()) -> MCAResult:
    """Multiple correspondence analysis of a table of categorical variables.

    Definition (Greenacre 2007; Le Roux & Rouanet 2010). MCA is the correspondence analysis of the
    indicator matrix Z (n rows × K categories of J variables): P = Z/(nJ), row masses r = 1/n, column
    masses c_k = n_k/(nJ), S = D_r^{-½}(P − rcᵀ)D_c^{-½} = UΣVᵀ. The eigenvalues are λ = σ², row
    principal coordinates F = D_r^{-½}UΣ, column principal coordinates G = D_c^{-½}VΣ, and the total
    inertia is K/J − 1. Because the raw percentages of inertia are pessimistic in MCA, two adjusted
    versions are given for eigenvalues λ > 1/J:

    - Benzécri: λ* = [J/(J−1)·(λ − 1/J)]², percentages of Σλ*;
    - Greenacre: the same λ* as percentages of J/(J−1)·(Σλ² − (K−J)/J²) (the adjusted total inertia).

    Axis signs are arbitrary (compare absolute values across software).

    Specific MCA (Le Roux & Rouanet 2010, §5.2; Le Roux & Rouanet 2004, ch. 5): categories whose value
    is in ``passive`` (e.g. ``"missing"``: a dimension on which the entity was never coded) keep their
    place in the indicator matrix, so row masses (1/n) and the masses c_k of the active categories are
    those of the full table, but their columns are left out of S: they take no part in the axes and
    cannot pull the entities that share them together. The total inertia is then the sum of squares
    of the restricted S (the inertia of the active categories); Benzécri's and Greenacre's
    adjustments use the same J (an approximation that Le Roux & Rouanet also apply). ``col_coords``
    hold the active categories only.

    Parameters
    ----------
    df : DataFrame
        One categorical column per variable, one row per space; no missing values; every variable needs
        at least two categories.

    Returns
    -------
    MCAResult with ``eigenvalues`` (all non-trivial ones, > 1e-12, decreasing), ``total_inertia``,
    ``percent``, ``benzecri_adjusted``, ``benzecri_pct``, ``greenacre_total_adjusted_inertia``,
    ``greenacre_pct``, ``row_coords`` and ``col_coords`` (DataFrames, columns ``dim1``, ``dim2``, ...).

    Examples
    --------
    >>> spaces = pd.DataFrame({"status": ["assoc", "assoc", "company", "public"],
    ...                        "access": ["open", "open", "paid", "open"]})
    >>> result = mca(spaces)
    >>> result.total_inertia, len(result.eigenvalues)   # K/J − 1 = 5/2 − 1
    (1.5, 2)

    References
    ----------
    Greenacre, M. (2007). *Correspondence Analysis in Practice*, 2nd ed. Chapman & Hall, ch. 18-19.
    Benzécri, J.-P. (1979). Sur le calcul des taux d'inertie dans l'analyse d'un questionnaire.
    *Cahiers de l'Analyse des Données* 4, 377-378.
    Le Roux, B. & Rouanet, H. (2010). *Multiple Correspondence Analysis*. SAGE.
    """
    if len(df) < 2:
        raise ValueError(f"the table has {len(df)} row(s): MCA needs at least 2 rows (spaces)")
    Z = indicator_matrix(df, sep=sep)
    n, K = Z.shape
    J = df.shape[1]
    P = Z.to_numpy() / (n * J)
    r = np.full(n, 1 / n)
    c = P.sum(axis=0)
    S = (P - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    columns = Z.columns
    if passive:
        active = np.array([str(col).split(sep, 1)[-1] not in passive for col in Z.columns])
        S, c, columns = S[:, active], c[active], Z.columns[active]
        K = int(active.sum())
    U, sigma, Vt = np.linalg.svd(S, full_matrices=False)
    eig = sigma**2
    keep = eig > _EPS
    eig, U, sigma, V = eig[keep], U[:, keep], sigma[keep], Vt[keep].T
    dims = [f"dim{i + 1}" for i in range(len(eig))]
    F = pd.DataFrame(U * sigma / np.sqrt(r)[:, None], index=df.index, columns=dims)
    G = pd.DataFrame(V * sigma / np.sqrt(c)[:, None], index=columns, columns=dims)
    total = K / J - 1 if not passive else float((S**2).sum())
    if J > 1:
        big = eig[eig > 1 / J]
        adjusted = (J / (J - 1) * (big - 1 / J)) ** 2
        greenacre_total = J / (J - 1) * (np.sum(eig**2) - (K - J) / J**2)
        benzecri_pct = 100 * adjusted / adjusted.sum() if adjusted.size else adjusted
        greenacre_pct = 100 * adjusted / greenacre_total if adjusted.size else adjusted
    else:  # a single variable: MCA is simple CA, the corrections do not apply
        adjusted = eig.copy()
        greenacre_total = float(total)
        benzecri_pct = greenacre_pct = 100 * eig / total
    if passive:   # Greenacre's adjusted total assumes every category active: not defined here
        greenacre_total = math.nan
        greenacre_pct = np.full(np.shape(benzecri_pct), np.nan)
    return MCAResult(eigenvalues=eig, total_inertia=float(total), percent=100 * eig / total,
                     benzecri_adjusted=adjusted, benzecri_pct=benzecri_pct,
                     greenacre_total_adjusted_inertia=float(greenacre_total), greenacre_pct=greenacre_pct,
                     row_coords=F, col_coords=G, J=J, K=K)


# --------------------------------------------------------------------------------------------------
# HCPC
# --------------------------------------------------------------------------------------------------

@dataclass
class HCPCResult:
    """Result of :func:`hcpc`."""

    labels: np.ndarray
    n_clusters: int
    within_inertia: dict
    criterion: dict
    centers: np.ndarray
    consolidated: bool

    def __getitem__(self, key: str):
        return getattr(self, key)


def _within(X: np.ndarray, labels: np.ndarray) -> float:
    total = 0.0
    for lab in np.unique(labels):
        part = X[labels == lab]
        total += float(((part - part.mean(axis=0)) ** 2).sum())
    return total / len(X)


def hcpc(coords, *, n_clusters: int | None = None, min_clusters: int = 2, max_clusters: int = 10,
         consolidate: bool = True, seed: int | None = None) -> HCPCResult:
    """Hierarchical clustering on principal components (FactoMineR ``HCPC``).

    Ward's agglomerative clustering of the rows of ``coords`` (the MCA row coordinates on the retained
    axes, e.g. those with a positive Benzécri-corrected eigenvalue), cut at k clusters. When
    ``n_clusters`` is None, k minimises W(k)/W(k−1) over ``min_clusters ≤ k ≤ max_clusters``, W(k)
    the within-cluster inertia of the cut into k clusters: the cut after which merging costs most,
    relative to what is left (Husson, Josse & Pagès 2010). The partition is then consolidated by
    k-means started from the cluster centroids (a deterministic start; ``seed`` is passed on).

    Parameters
    ----------
    coords : array or DataFrame (n, d)
    n_clusters : int, optional
    min_clusters, max_clusters : int
    consolidate : bool
    seed : int or None

    Returns
    -------
    HCPCResult with ``labels`` (0 … k−1, cluster 0 the largest), ``n_clusters``, ``within_inertia``
    (k → W(k)), ``criterion`` (k → W(k)/W(k−1)), ``centers``, ``consolidated``.

    Examples
    --------
    >>> pts = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [5.0, 5.0], [5.1, 5.0], [5.0, 5.1]])
    >>> hcpc(pts, max_clusters=4).labels.tolist()
    [0, 0, 0, 1, 1, 1]

    References
    ----------
    Husson, F., Josse, J. & Pagès, J. (2010). Principal component methods - hierarchical clustering -
    partitional clustering: why would we need to choose for visualizing data? Agrocampus technical report.
    Ward, J. H. (1963). Hierarchical grouping to optimize an objective function. *JASA* 58, 236-244.
    """
    from sklearn.cluster import KMeans

    X = np.asarray(coords, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    n = len(X)
    if n < 3:
        raise ValueError(f"{n} row(s): clustering needs at least 3 rows")
    if not np.isfinite(X).all():
        raise ValueError("coords contain NaN or infinite values")
    upper = min(max_clusters, n - 1)
    if n_clusters is not None and not 2 <= n_clusters <= n - 1:
        raise ValueError(f"n_clusters={n_clusters} with {n} rows: choose between 2 and {n - 1}")
    tree = linkage(X, method="ward")
    cuts = {k: fcluster(tree, k, criterion="maxclust") for k in range(1, upper + 2) if k <= n}
    within = {k: _within(X, lab) for k, lab in cuts.items()}
    criterion = {}
    for k in range(max(2, min_clusters), upper + 1):
        criterion[k] = within[k] / within[k - 1] if within[k - 1] > 0 else math.inf
    if n_clusters is None:
        if not criterion:
            raise ValueError(f"no admissible number of clusters between {min_clusters} and {upper}")
        n_clusters = min(criterion, key=lambda k: (criterion[k], k))
    labels = cuts[n_clusters] if n_clusters in cuts else fcluster(tree, n_clusters, criterion="maxclust")
    centers = np.array([X[labels == lab].mean(axis=0) for lab in np.unique(labels)])
    if consolidate:
        km = KMeans(n_clusters=len(centers), init=centers, n_init=1, random_state=seed).fit(X)
        labels, centers = km.labels_, km.cluster_centers_
    labels, centers = _relabel_by_size(np.asarray(labels), centers)
    return HCPCResult(labels=labels, n_clusters=int(len(centers)), within_inertia=within, criterion=criterion,
                      centers=centers, consolidated=consolidate)


def _hcpc_labels(X: np.ndarray, n_clusters: int, seed: int | None) -> np.ndarray:
    """The labels of ``hcpc(X, n_clusters=n_clusters, seed=seed)``, without the cuts at every other k
    and their inertias (the bootstrap only needs the labels of its resamples)."""
    from sklearn.cluster import KMeans

    labels = fcluster(linkage(X, method="ward"), n_clusters, criterion="maxclust")
    centers = np.array([X[labels == lab].mean(axis=0) for lab in np.unique(labels)])
    km = KMeans(n_clusters=len(centers), init=centers, n_init=1, random_state=seed).fit(X)
    return _relabel_by_size(np.asarray(km.labels_), km.cluster_centers_)[0]


def _relabel_by_size(labels: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    uniq, counts = np.unique(labels, return_counts=True)
    first = np.array([np.flatnonzero(labels == u)[0] for u in uniq])
    order = np.lexsort((first, -counts))
    mapping = {uniq[o]: new for new, o in enumerate(order)}
    new_labels = np.array([mapping[lab] for lab in labels])
    new_centers = centers[order] if len(centers) == len(uniq) else centers
    return new_labels, new_centers


# --------------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------------

def silhouette(X, labels, *, metric: str = "euclidean") -> dict:
    """Silhouette widths (Rousseeuw 1987): s(i) = (b − a)/max(a, b), a the mean distance to the own
    cluster, b the smallest mean distance to another cluster.

    Parameters
    ----------
    X : array (n, d), or (n, n) dissimilarities with ``metric="precomputed"``
    labels : array of n cluster labels (at least 2 distinct, fewer than n)

    Returns
    -------
    dict with ``average`` (float), ``samples`` (array) and ``per_cluster`` (label → mean width).

    Examples
    --------
    >>> round(silhouette([[0], [1], [10], [11]], [0, 0, 1, 1])["average"], 2)
    0.9
    """
    from sklearn.metrics import silhouette_samples

    labels = np.asarray(labels)
    k = len(np.unique(labels))
    if not 2 <= k < len(labels):
        raise ValueError(f"{k} cluster(s) for {len(labels)} rows: silhouettes need between 2 and n − 1 clusters")
    widths = silhouette_samples(np.asarray(X, dtype=float), labels, metric=metric)
    per_cluster = {lab.item() if hasattr(lab, "item") else lab: float(widths[labels == lab].mean())
                   for lab in np.unique(labels)}
    return {"average": float(widths.mean()), "samples": widths, "per_cluster": per_cluster}


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return np.count_nonzero(a & b) / union if union else 0.0


def bootstrap_jaccard(X, labels, cluster_fn: Callable[[np.ndarray], np.ndarray] | None = None, *,
                      n_boot: int = 100, seed: int | None = None) -> pd.DataFrame:
    """Cluster-wise stability by bootstrap (Hennig 2007, as ``fpc::clusterboot``).

    Each of ``n_boot`` resamples draws n rows with replacement and clusters them again with
    ``cluster_fn``. For every original cluster C, the Jaccard similarity |C ∩ D| / |C ∪ D| is computed
    with every new cluster D, both restricted to the distinct rows of the resample, and the maximum is
    kept. Hennig's guide: mean Jaccard ≥ 0.75 valid and stable (≥ 0.85 highly stable), 0.6-0.75 a
    pattern with doubtful membership, < 0.6 not to be trusted; a cluster with Jaccard ≤ 0.5 in a
    resample counts as dissolved there.

    Parameters
    ----------
    X : array (n, d)
    labels : array of n labels of the solution to assess
    cluster_fn : callable X → labels, optional
        The clustering method; default: :func:`hcpc` with the same number of clusters.
    n_boot : int
    seed : int or None

    Returns
    -------
    DataFrame indexed by cluster label with ``size``, ``mean_jaccard``, ``dissolved`` (share of
    resamples with Jaccard ≤ 0.5), ``recovered`` (share ≥ 0.75) and ``verdict``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 0.1, (10, 2)), rng.normal(3, 0.1, (10, 2))])
    >>> labels = np.repeat([0, 1], 10)
    >>> bootstrap_jaccard(X, labels, n_boot=20, seed=1)["mean_jaccard"].round(2).tolist()
    [1.0, 1.0]

    References
    ----------
    Hennig, C. (2007). Cluster-wise assessment of cluster stability. *Computational Statistics & Data
    Analysis* 52, 258-271.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    labels = np.asarray(labels)
    n = len(X)
    if len(labels) != n:
        raise ValueError(f"{len(labels)} labels for {n} rows: give one label per row")
    clusters = np.unique(labels)
    if len(clusters) < 2:
        raise ValueError("only one cluster: stability compares several clusters, pass at least two")
    if n_boot < 1:
        raise ValueError(f"n_boot={n_boot}: draw at least one resample (100 or more is usual)")
    if cluster_fn is None:
        k = len(clusters)

        def cluster_fn(sample: np.ndarray) -> np.ndarray:
            # hcpc(sample, n_clusters=min(k, len(sample) - 1), seed=seed).labels, without its cut profile
            if len(sample) < 3 or not np.isfinite(sample).all():
                return hcpc(sample, n_clusters=min(k, len(sample) - 1), seed=seed).labels
            return _hcpc_labels(sample, min(k, len(sample) - 1), seed)

    rng = np.random.default_rng(seed)
    scores = np.zeros((n_boot, len(clusters)))
    for b in range(n_boot):
        draw = rng.integers(0, n, n)
        new = np.asarray(cluster_fn(X[draw]))
        present = np.unique(draw)
        # label of each distinct drawn row in the resample clustering (first occurrence)
        _, first = np.unique(draw, return_index=True)
        new_of_row = new[first]
        for c_idx, c in enumerate(clusters):
            original = labels[present] == c
            if not original.any():
                scores[b, c_idx] = np.nan
                continue
            scores[b, c_idx] = max(_jaccard(original, new_of_row == d) for d in np.unique(new_of_row))
    mean = np.nanmean(scores, axis=0)

    def verdict(value: float) -> str:
        if value >= 0.85:
            return "highly stable"
        if value >= 0.75:
            return "stable"
        if value >= 0.6:
            return "pattern, doubtful membership"
        return "not stable"

    return pd.DataFrame({
        "size": [int((labels == c).sum()) for c in clusters],
        "mean_jaccard": mean,
        "dissolved": np.nanmean(scores <= 0.5, axis=0),
        "recovered": np.nanmean(scores >= 0.75, axis=0),
        "verdict": [verdict(v) for v in mean],
    }, index=pd.Index(clusters, name="cluster"))


# --------------------------------------------------------------------------------------------------
# Description of the types
# --------------------------------------------------------------------------------------------------

def vtest(df_indicator: pd.DataFrame, labels, *, method: str = "hypergeometric") -> pd.DataFrame:
    """Over- and under-represented categories in each cluster (FactoMineR ``catdes``).

    For category k (n_k rows of n) and cluster q (n_q rows, of which n_kq have k), the number of rows
    with k in a random subset of size n_q is hypergeometric with mean n_q·n_k/n. With
    ``method="hypergeometric"`` (FactoMineR) the test uses the exact tail probabilities
    P(X ≥ n_kq) (over-representation) or P(X ≤ n_kq) and the v-test is the standard normal quantile with
    the same tail probability, signed; ``p_value`` is twice the smaller tail. With ``method="normal"``
    the v-test is Lebart's (n_kq − n_q n_k/n) / √(n_q (n−n_q)/(n−1) · n_k/n · (1 − n_k/n)).

    Parameters
    ----------
    df_indicator : DataFrame
        0/1 indicator columns (e.g. from :func:`indicator_matrix`); a table of categorical columns is
        converted with :func:`indicator_matrix` first.
    labels : array of cluster labels, one per row.

    Returns
    -------
    DataFrame with one row per cluster × category: ``cluster``, ``category``, ``n_in_cluster``,
    ``pct_of_cluster`` (Mod/Cla), ``pct_of_category`` (Cla/Mod), ``pct_overall``, ``v_test``,
    ``p_value``; sorted by cluster, then v-test decreasing.

    Examples
    --------
    >>> Z = pd.DataFrame({"access__open": [1, 1, 1, 0, 0, 0], "access__paid": [0, 0, 0, 1, 1, 1]})
    >>> vt = vtest(Z, [0, 0, 0, 1, 1, 1])
    >>> vt.loc[0, "category"], round(float(vt.loc[0, "v_test"]), 3)   # P(X ≥ 3) = 1/20
    ('access__open', 1.645)

    References
    ----------
    Lebart, L., Morineau, A. & Piron, M. (1995). *Statistique exploratoire multidimensionnelle*. Dunod.
    Husson, F., Lê, S. & Pagès, J. (2017). *Exploratory Multivariate Analysis by Example Using R*, 2nd ed.
    """
    if method not in ("hypergeometric", "normal"):
        raise ValueError(f"method={method!r}: use 'hypergeometric' or 'normal'")
    table = df_indicator
    if not all(pd.api.types.is_numeric_dtype(t) for t in table.dtypes):
        table = indicator_matrix(table)
    Z = table.to_numpy(dtype=float)
    labels = np.asarray(labels)
    n = len(Z)
    if len(labels) != n:
        raise ValueError(f"{len(labels)} labels for {n} rows: give one label per row")
    rows = []
    n_k = Z.sum(axis=0)
    for q in np.unique(labels):
        inside = labels == q
        n_q = int(inside.sum())
        n_kq = Z[inside].sum(axis=0)
        for idx, category in enumerate(table.columns):
            nk, nkq = int(n_k[idx]), int(n_kq[idx])
            expected = n_q * nk / n
            if method == "normal":
                var = n_q * (n - n_q) / (n - 1) * (nk / n) * (1 - nk / n) if n > 1 else 0.0
                v = (nkq - expected) / math.sqrt(var) if var > 0 else math.nan
                p = 2 * stats.norm.sf(abs(v)) if var > 0 else math.nan
            else:
                upper = stats.hypergeom.sf(nkq - 1, n, nk, n_q)   # P(X ≥ n_kq)
                lower = stats.hypergeom.cdf(nkq, n, nk, n_q)      # P(X ≤ n_kq)
                p = min(1.0, 2 * min(upper, lower))
                if nkq > expected:
                    v = stats.norm.isf(upper)
                elif nkq < expected:
                    v = -stats.norm.isf(lower)
                else:
                    v = 0.0
            rows.append({"cluster": q.item() if hasattr(q, "item") else q, "category": category,
                         "n_in_cluster": nkq, "pct_of_cluster": 100 * nkq / n_q,
                         "pct_of_category": 100 * nkq / nk if nk else math.nan,
                         "pct_overall": 100 * nk / n, "v_test": float(v), "p_value": float(p)})
    frame = pd.DataFrame(rows)
    return frame.sort_values(["cluster", "v_test"], ascending=[True, False], kind="stable").reset_index(drop=True)


def name_types(vtests: pd.DataFrame, *, top: int = 2, alpha: float = 0.05, sep: str = "__",
               labels: dict | None = None, modal: str = " (modal)") -> dict:
    """Name each cluster by its most over-represented categories.

    A category qualifies when its v-test is positive and ``p_value < alpha``; the ``top`` with the
    largest v-tests name the type, joined by " + ". A cluster with no significant category is named by
    its modal categories (highest ``pct_of_cluster``), marked by ``modal``. Category names
    ``variable__value`` are shown as ``variable: value`` unless ``labels`` maps them to readable text.

    Parameters
    ----------
    vtests : DataFrame from :func:`vtest`
    top : int
    alpha : float
    labels : mapping category → display label, optional
    modal : str
        the mark of a name made of modal categories (its translation, for a name in another language)

    Returns
    -------
    dict cluster → name.

    Examples
    --------
    >>> Z = pd.DataFrame({"access__open": [1, 1, 1, 1, 0, 0, 0, 0], "access__paid": [0, 0, 0, 0, 1, 1, 1, 1]})
    >>> name_types(vtest(Z, [0, 0, 0, 0, 1, 1, 1, 1]), top=1)
    {0: 'access: open', 1: 'access: paid'}
    """
    labels = labels or {}

    def show(category: str) -> str:
        if category in labels:
            return labels[category]
        return category.replace(sep, ": ", 1)

    names = {}
    for cluster, part in vtests.groupby("cluster", sort=True):
        significant = part[(part["v_test"] > 0) & (part["p_value"] < alpha)].sort_values("v_test", ascending=False)
        if len(significant):
            names[cluster] = " + ".join(show(c) for c in significant["category"].head(top))
        else:
            modal_categories = part.sort_values("pct_of_cluster", ascending=False, kind="stable")["category"].head(top)
            names[cluster] = " + ".join(show(c) for c in modal_categories) + modal
    return names
