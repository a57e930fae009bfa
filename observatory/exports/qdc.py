"""The codebook as a REFI-QDA codebook (QDC, https://www.qdasoftware.org/): ``Codebook.qdc``, an
XML file that ATLAS.ti, MAXQDA, NVivo and QDA Miner import. Dimensions are codes that are not
codable themselves (``isCodable="false"``) and hold their codes. GUIDs are derived from the
codebook key, version and code path (UUID 5), so the same codebook gives the same file."""

from __future__ import annotations

import uuid
from pathlib import Path

from lxml import etree

from observatory.coding.models import Codebook

from .tables import Selection

__all__ = ["QDC_NS", "code_guid", "write_qdc"]

QDC_NS = "urn:QDA-XML:codebook:1.0"
_NAMESPACE = uuid.UUID("6f2b8a4e-3c1d-5e7f-9a0b-1c2d3e4f5a6b")


def code_guid(codebook: Codebook, path: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{codebook.key}/{codebook.version}/{path}")).upper()


def write_qdc(out: Path, selection: Selection, *, codebook: Codebook | None = None) -> dict[str, int]:
    codebook = codebook or Codebook.objects.filter(is_default=True).order_by("-created").first()
    root = etree.Element(f"{{{QDC_NS}}}CodeBook", {"origin": "Observatory"}, nsmap={None: QDC_NS})
    codes_element = etree.SubElement(root, f"{{{QDC_NS}}}Codes")
    count = 0
    if codebook is not None:
        codes = list(codebook.codes.order_by("order", "id"))
        children: dict[int | None, list] = {}
        for code in codes:
            children.setdefault(code.parent_id, []).append(code)

        def add(parent_element, code) -> None:
            nonlocal count
            label = code.label_en + (f" / {code.label_zh}" if code.label_zh else "")
            element = etree.SubElement(parent_element, f"{{{QDC_NS}}}Code", {
                "guid": code_guid(codebook, code.path), "name": label,
                "isCodable": "false" if code.parent_id is None else "true"})
            description = code.definition + (f"\n\nExamples: {code.examples}" if code.examples else "")
            description += f"\n\nObservatory code path: {code.path} (codebook {codebook.key} v{codebook.version})"
            etree.SubElement(element, f"{{{QDC_NS}}}Description").text = description
            count += 1
            for child in children.get(code.pk, []):
                add(element, child)

        for dimension in children.get(None, []):
            add(codes_element, dimension)
    out.parent.mkdir(parents=True, exist_ok=True)
    etree.ElementTree(root).write(str(out), xml_declaration=True, encoding="utf-8", pretty_print=True)
    return {"codes": count}
