"""Writes to the codebook and the codings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import reversion
import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from observatory.inventory.models import Entity, Source
from observatory.validation import WriteConflict, instance_check

from .models import Code, Codebook, Coding

__all__ = ["DEFAULT_CODEBOOK", "codebook_default", "codebook_load", "coding_upsert", "code_resolve"]

DEFAULT_CODEBOOK = Path(__file__).resolve().parent / "codebook" / "default.yaml"


def _required(item: dict, field: str, where: str) -> Any:
    value = item.get(field)
    if value in (None, ""):
        raise ValidationError({field: f"{where}: '{field}' is required"})
    return value


@transaction.atomic
def codebook_load(path: Path = DEFAULT_CODEBOOK, *, make_default: bool = True) -> tuple[Codebook, str]:
    """Load a codebook YAML (see the header of codebook/default.yaml); idempotent per version.

    A new version is a new Codebook: codings made against an earlier version keep pointing at it.
    Returns (codebook, "created" | "updated" | "unchanged").
    """
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValidationError(f"{path}: cannot read the codebook: {exc}") from None
    if not isinstance(document, dict) or "codebook" not in document or "dimensions" not in document:
        raise ValidationError(f"{path}: a codebook file has two top-level keys, 'codebook' and 'dimensions'")
    head = document["codebook"]
    key = _required(head, "key", f"{path}: codebook")
    version = str(_required(head, "version", f"{path}: codebook"))
    codebook, created = Codebook.objects.get_or_create(
        key=key, version=version,
        defaults={"title_en": head.get("title_en", key), "title_zh": head.get("title_zh", ""),
                  "description": head.get("description", "")},
    )
    wanted: dict[str, dict] = {}

    def walk(items: list, parent_path: str | None, where: str) -> None:
        for order, item in enumerate(items or []):
            code_key = _required(item, "key", where)
            path_ = f"{parent_path}.{code_key}" if parent_path else code_key
            if path_ in wanted:
                raise ValidationError({"key": f"{where}: code path {path_!r} appears twice"})
            wanted[path_] = {
                "parent_path": parent_path, "key": code_key, "label_en": _required(item, "label_en", path_),
                "label_zh": item.get("label_zh", ""), "definition": _required(item, "definition", path_),
                "examples": item.get("examples", "") if isinstance(item.get("examples", ""), str)
                else "\n".join(map(str, item["examples"])), "order": len(wanted),
            }
            walk(item.get("codes") or item.get("children") or [], path_, f"{where} > {path_}")
            del order

    walk(document["dimensions"], None, str(path))
    existing = {c.path: c for c in codebook.codes.all()}
    changed = created
    by_path: dict[str, Code] = {}
    for path_, spec in wanted.items():
        parent = by_path.get(spec["parent_path"]) if spec["parent_path"] else None
        fields = {k: v for k, v in spec.items() if k != "parent_path"}
        code = existing.get(path_)
        if code is None:
            code = Code.objects.create(codebook=codebook, parent=parent, path=path_, **fields)
            changed = True
        elif any(getattr(code, k) != v for k, v in fields.items()) or code.parent_id != (parent.pk if parent else None):
            for k, v in fields.items():
                setattr(code, k, v)
            code.parent = parent
            code.save()
            changed = True
        by_path[path_] = code
    stale = [c for p, c in existing.items() if p not in wanted]
    for code in stale:
        if code.codings.exists():
            raise ValidationError(f"{path}: code {code.path!r} was removed from version {version} but is used by "
                                  "codings; publish a new version instead of editing this one")
        code.delete()
        changed = True
    if make_default and not codebook.is_default:
        Codebook.objects.exclude(pk=codebook.pk).update(is_default=False)
        codebook.is_default = True
        codebook.save(update_fields=["is_default"])
    return codebook, ("created" if created else "updated" if changed else "unchanged")


def codebook_default() -> Codebook:
    codebook = Codebook.objects.filter(is_default=True).order_by("-created").first()
    if codebook is None:
        codebook, _ = codebook_load(DEFAULT_CODEBOOK)
    return codebook


def code_resolve(path: str, codebook: Codebook | None = None) -> Code:
    """The code at ``path`` in the (default) codebook, or a ValidationError listing close paths."""
    codebook = codebook or codebook_default()
    code = Code.objects.filter(codebook=codebook, path=path).first()
    if code is None:
        dimension = str(path).split(".", 1)[0]
        nearby = list(Code.objects.filter(codebook=codebook, path__startswith=dimension + ".")
                      .values_list("path", flat=True)[:30])
        hint = f" Codes in {dimension!r}: {', '.join(nearby)}" if nearby else (
            " Dimensions: " + ", ".join(Code.objects.filter(codebook=codebook, parent=None).values_list("path", flat=True)))
        raise ValidationError({"code": f"{path!r} is not a code of the codebook {codebook}.{hint}"})
    if code.parent_id is None:
        raise ValidationError({"code": f"{path!r} is a dimension; code with one of its codes"})
    return code


def coding_upsert(**kwargs) -> tuple[Coding, str]:
    """Code an entity with evidence: a source (and a quotation from it) or an excerpt of a document.

    The same coding written twice at once gives one record (the second "unchanged"); a different
    one racing to create it gives :class:`~observatory.validation.WriteConflict` to the later one."""
    try:
        return _coding_upsert(**kwargs)
    except IntegrityError:
        pass
    return _coding_upsert(**kwargs, on_race="the coding was written by a concurrent request with different "
                                            "values; read it again and retry")


@transaction.atomic
def _coding_upsert(*, entity: Entity, code: Code, source: Source | None = None, source_locator: str = "",
                   quote: str = "", confidence: float = 1.0, coder=None, coder_name: str = "", coded_on=None,
                   note: str = "", excerpt=None, on_race: str = "") -> tuple[Coding, str]:
    if source is None and excerpt is None:
        raise ValidationError({"source": "a coding needs evidence: a source or an excerpt of a document"})
    confidence = float(confidence)
    if not (0 <= confidence <= 1):  # NaN fails this too
        raise ValidationError({"confidence": f"{confidence} is outside 0…1"})
    values = {"source_locator": source_locator, "quote": quote or "", "confidence": confidence,
              "coder_name": coder_name, "coded_on": coded_on, "note": note or "", "excerpt": excerpt}
    coding = Coding.objects.select_for_update().filter(entity=entity, code=code, source=source).first()
    if coding is not None and all(getattr(coding, k) == v for k, v in values.items()):
        return coding, "unchanged"
    if on_race:
        raise WriteConflict(on_race)
    with reversion.create_revision():
        status = "updated"
        if coding is None:
            coding = Coding(entity=entity, code=code, source=source, coder=coder)
            status = "created"
        for field, value in values.items():
            setattr(coding, field, value)
        instance_check(coding)
        coding.save()
        if coder is not None:
            reversion.set_user(coder)
        reversion.set_comment(status.capitalize())
    return coding, status
