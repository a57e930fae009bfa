"""Province, prefecture and county of a Chinese postal address, with their GB/T 2260 codes.

Chinese addresses run from the largest unit to the smallest: 广东省深圳市南山区粤海街道...; in
practice the province is often left out (深圳市福田区华强北路), suffixes are dropped (北京海淀区),
and traditional characters or full-width digits appear. :func:`parse_address` reads the
administrative units at the start of the text against the bundled table of 3,252 units
(DataV ``location.json``, see ``data/PROVENANCE.md``) and returns the rest.

Rules
-----
- Units are read left to right; each must lie inside the one read before it. At each step the
  longest name wins (吉林市 the prefecture over 吉林 the province).
- Provinces and prefectures may be written without their suffix (广东, 深圳, 内蒙古); counties
  only in full (南山区), because a bare county stem is too often a street or place name
  (北京市朝阳门 is in 东城区, not 朝阳区). A bare stem followed by a character that begins a street
  or place (路, 街, 道, 村, 镇...) is not a unit: 中山路 is a road, not 中山市.
- A missing level is filled from the unit below it (南山区 in 深圳市 gives 深圳市 and 广东省).
- When a name fits several units (朝阳区 is in Beijing and in Changchun) and nothing before it
  decides, the reading stops there: ambiguous or unknown parts give None, never a guess. The
  one tie that is decided is between a province and a smaller unit sharing its stem (海南 the
  province and 海南藏族自治州; 吉林 the province and 吉林市): the province, which comes first.
- Municipalities: the prefecture is the municipality itself, as in :mod:`.divisions`.

References: GB/T 2260 (codes of the administrative divisions of the PRC); GB/T 23705-2009 on the
order of the parts of a postal address.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from observatory.china.divisions import MUNICIPALITIES, AdminUnit, _data
from observatory.china.names import is_cjk, to_simplified

__all__ = ["ParsedAddress", "parse_address"]

_LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2}
# Characters that, right after a bare stem, show that it names a street or a place, not a unit.
_STREET_START = frozenset("路街道巷弄里村镇乡号门桥")
_SEPARATORS = " \t\r\n,，、;；:：/|-—_()（）[]【】"
_LEADING = re.compile(r"^(?:中华人民共和国|中国|China|PRC)?[\s,，:：]*(?:\d{6}\s*)?", re.IGNORECASE)
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ParsedAddress:
    """The administrative units read at the start of an address, and what follows them."""

    province_code: str | None
    prefecture_code: str | None
    county_code: str | None
    province: str | None
    prefecture: str | None
    county: str | None
    rest: str


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, list[tuple[str, AdminUnit, bool]]]:
    """Names by first character: (name, unit, is_bare_stem), longest names first."""
    with _LOCK:
        by_first: dict[str, list[tuple[str, AdminUnit, bool]]] = {}
        for unit in _data().units.values():
            forms = [(unit.name_zh, False)]
            if unit.level != "county":
                forms += [(alias, True) for alias in unit.aliases if is_cjk(alias) and len(alias) >= 2]
            for name, bare in forms:
                by_first.setdefault(name[0], []).append((name, unit, bare))
        for entries in by_first.values():
            entries.sort(key=lambda entry: -len(entry[0]))
        return by_first


def _ancestors(unit: AdminUnit) -> list[str]:
    units = _data().units
    codes = []
    parent = unit.parent_code
    while parent and parent in units:
        codes.append(parent)
        parent = units[parent].parent_code
    return codes


def _candidates(text: str, pos: int, inside: AdminUnit | None) -> tuple[int, list[AdminUnit]]:
    """The longest unit names at ``pos`` that lie inside ``inside``: (length, units)."""
    best_length, best = 0, []
    for name, unit, bare in _lexicon().get(text[pos], ()):
        length = len(name)
        if length < best_length:
            break  # entries are sorted longest first
        if not text.startswith(name, pos):
            continue
        if bare and text[pos + length : pos + length + 1] in _STREET_START:
            continue
        if inside is not None:
            if _LEVEL_RANK[unit.level] <= _LEVEL_RANK[inside.level] or inside.code not in _ancestors(unit):
                continue
        if unit not in best:
            best_length, best = length, [*best, unit]
    return best_length, best


def _skip_separators(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _SEPARATORS:
        pos += 1
    return pos


def parse_address(text: str) -> ParsedAddress:
    """Read the province, prefecture and county at the start of a Chinese address.

    >>> parse_address("深圳市福田区华强北路1002号")
    ParsedAddress(province_code='440000', prefecture_code='440300', county_code='440304', \
province='广东省', prefecture='深圳市', county='福田区', rest='华强北路1002号')
    """
    if not isinstance(text, str):
        raise TypeError(f"an address is a str, not {type(text).__name__}")
    normalized = unicodedata.normalize("NFKC", text).strip()
    if is_cjk(normalized):
        normalized = to_simplified(normalized)
    pos = _LEADING.match(normalized).end()
    found: dict[str, AdminUnit] = {}
    deepest: AdminUnit | None = None
    while True:
        pos = _skip_separators(normalized, pos)
        if pos >= len(normalized) or (deepest is not None and deepest.level == "county"):
            break
        length, units = _candidates(normalized, pos, deepest)
        provinces = [unit for unit in units if unit.level == "province"]
        if len(units) > 1 and len(provinces) == 1:
            units = provinces  # 海南 / 吉林: the province stem, since addresses begin with it
        if len(units) != 1:
            break  # unknown (0) or ambiguous (several): stop reading, guess nothing
        deepest = units[0]
        pos += length
        found[deepest.level] = deepest
        for code in _ancestors(deepest):
            ancestor = _data().units[code]
            found.setdefault(ancestor.level, ancestor)
    province = found.get("province")
    prefecture = found.get("prefecture")
    if prefecture is None and province is not None and province.code in MUNICIPALITIES:
        prefecture = province
    county = found.get("county")
    return ParsedAddress(
        province_code=province.code if province else None,
        prefecture_code=prefecture.code if prefecture else None,
        county_code=county.code if county else None,
        province=province.name_zh if province else None,
        prefecture=prefecture.name_zh if prefecture else None,
        county=county.name_zh if county else None,
        rest=normalized[pos:].strip(),
    )
