"""China-specific helpers, plain Python without Django.

- :mod:`observatory.china.coords` — WGS-84 / GCJ-02 / BD-09 conversions (exact inverses).
- :mod:`observatory.china.divisions` — GB/T 2260 administrative divisions by point-in-polygon on
  bundled boundaries, and boundary GeoJSON for the offline map.
- :mod:`observatory.china.addresses` — province / prefecture / county from a Chinese address.
- :mod:`observatory.china.names` — pinyin, simplified/traditional script, name normalisation.
- :mod:`observatory.china.text` — search tokens mixing Chinese words and pinyin.

Import the submodule you need; nothing heavy (boundaries, jieba's dictionary) loads until used.
"""
