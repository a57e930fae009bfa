"""One validation of what may be stored, shared by the API schemas, the admin forms, the file
importers and the services, so that every input is refused the same way on SQLite and PostgreSQL.

- text: no NUL (PostgreSQL refuses it in text and JSON), no lone UTF-16 surrogate (not encodable
  as UTF-8: PostgreSQL refuses it, SQLite stores it and every JSON export then fails), and the
  model's ``max_length`` in characters (PostgreSQL's ``varchar(n)`` enforces it, SQLite does not);
- numbers: finite (NaN, Infinity and ``1e309``, which JSON parsers read as Infinity, are not
  numbers a reader of the data can use, and PostgreSQL's ``jsonb`` refuses them);
- JSON values: every string and number as above, nested at most :data:`MAX_JSON_DEPTH` deep;
  a source's CSL-JSON item is an object with a title;
- geometry: a polygon is a non-empty list of rings of at least three finite ``[lng, lat]`` pairs
  within −180…180 / −90…90.

Each check raises :class:`django.core.exceptions.ValidationError` keyed by the field, with a
message that says what is wrong and what is accepted.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

__all__ = [
    "ADMIN_FORMFIELDS",
    "MAX_JSON_DEPTH",
    "CheckedJSONFormField",
    "WriteConflict",
    "csl_check",
    "instance_check",
    "json_value_check",
    "json_value_problem",
    "number_check",
    "polygon_check",
    "polygon_problem",
    "text_check",
    "text_problem",
    "values_check",
]

#: The deepest nesting of a stored JSON value (a CSL item is 4 deep: item > author > list > name).
MAX_JSON_DEPTH = 20

_SURROGATE = re.compile("[\ud800-\udfff]")
ACCEPTED_TEXT = "text without NUL characters or lone UTF-16 surrogates (valid Unicode)"
ACCEPTED_NUMBER = "a finite number (not NaN or Infinity)"
ACCEPTED_POLYGON = "a list of rings, each a list of at least 3 [lng, lat] pairs of finite numbers"


class WriteConflict(Exception):
    """A write that lost a race to a different concurrent write of the same record (HTTP 409)."""


def text_problem(value: str, max_length: int | None = None) -> str | None:
    """What is wrong with ``value`` as stored text, or None."""
    if "\x00" in value:
        return f"contains a NUL character (at position {value.index(chr(0))}); give {ACCEPTED_TEXT}"
    match = _SURROGATE.search(value)
    if match:
        return (f"contains a lone UTF-16 surrogate ({match.group().encode('unicode_escape').decode()} at position "
                f"{match.start()}); give {ACCEPTED_TEXT}")
    if max_length is not None and len(value) > max_length:
        return f"is {len(value)} characters long; at most {max_length} are accepted"
    return None


def text_check(field: str, value: Any, *, max_length: int | None = None) -> Any:
    """``value`` unchanged if it is acceptable text (non-strings pass through), else ValidationError."""
    if isinstance(value, str):
        problem = text_problem(value, max_length)
        if problem:
            raise ValidationError({field: f"{field} {problem}"})
    return value


def number_check(field: str, value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError({field: f"{field} is {value}; give {ACCEPTED_NUMBER}"})
    return value


def json_value_problem(value: Any, *, max_depth: int = MAX_JSON_DEPTH, json_types: bool = True) -> str | None:
    """What is wrong with a JSON value to be stored (path, problem), or None. Iterative, so a
    hostile value nested thousands deep cannot exhaust the stack. ``json_types=False`` lets other
    scalars (a spreadsheet's dates) pass: they are stored through their text form."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        where = path or "the value"
        if isinstance(item, dict | list):
            if depth >= max_depth:
                return f"{where} is nested more than {max_depth} levels deep"
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str):
                    problem = text_problem(key)
                    if problem:
                        return f"a key of {where} {problem}"
                child_path = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))
                stack.append((child, child_path, depth + 1))
        elif isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return f"{where} {problem}"
        elif isinstance(item, float) and not math.isfinite(item):
            return f"{where} is {item}; give {ACCEPTED_NUMBER}"
        elif json_types and not (item is None or isinstance(item, bool | int | float)):
            return f"{where} is a {type(item).__name__}, not a JSON value"
    return None


def json_value_check(field: str, value: Any, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    problem = json_value_problem(value, max_depth=max_depth)
    if problem:
        raise ValidationError({field: f"{field}: {problem}"})
    return value


def csl_check(value: Any, *, field: str = "csl", where: str = "", title_required: bool = True) -> dict:
    """A CSL-JSON item: an object (``{"type": ..., "title": ...}``) with a title, of clean values."""
    prefix = f"{where}: " if where else ""
    if not isinstance(value, dict):
        raise ValidationError({field: f"{prefix}a CSL-JSON item is an object such as "
                                      f'{{"type": "webpage", "title": "..."}}, not {json.dumps(value)[:60]}'})
    json_value_check(field, value)
    if title_required and not isinstance(value.get("title"), str) or not value["title"].strip():
        raise ValidationError({field: f"{prefix}a CSL-JSON item needs a title (a non-empty string)"})
    return value


def polygon_problem(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return f"is not a polygon; give {ACCEPTED_POLYGON}"
    for r, ring in enumerate(value):
        if not isinstance(ring, list) or len(ring) < 3:
            return f"ring {r} has fewer than 3 points; give {ACCEPTED_POLYGON}"
        for p, point in enumerate(ring):
            if not (isinstance(point, list | tuple) and len(point) == 2
                    and all(isinstance(v, int | float) and not isinstance(v, bool) for v in point)):
                return f"ring {r}, point {p} ({json.dumps(point, default=str)[:40]}) is not a [lng, lat] pair of numbers"
            lng, lat = point
            if not (math.isfinite(lng) and math.isfinite(lat)):
                return f"ring {r}, point {p} is [{lng}, {lat}]; give finite numbers"
            if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                return f"ring {r}, point {p} [{lng}, {lat}] is outside longitude −180…180 / latitude −90…90"
    return None


def polygon_check(value: Any, *, field: str = "polygon") -> Any:
    if value is None:
        return value
    problem = polygon_problem(value)
    if problem:
        raise ValidationError({field: f"{field} {problem}"})
    return value


def _field_problem(field, value) -> str | None:
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        problem = json_value_problem(value)
        return f"{field.name}: {problem}" if problem else None
    if isinstance(value, str):
        problem = text_problem(value, getattr(field, "max_length", None))
        return f"{field.name} {problem}" if problem else None
    if isinstance(value, float) and not math.isfinite(value):
        return f"{field.name} is {value}; give {ACCEPTED_NUMBER}"
    return None


def instance_check(instance: models.Model, *, exclude: tuple[str, ...] | set[str] = ()) -> models.Model:
    """Check every text, number and JSON field of a model instance before it is saved, without a
    query: text (and its ``max_length``), finite floats, clean JSON values. Raises one
    ValidationError naming every field at fault."""
    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.attname in exclude:
            continue
        problem = _field_problem(field, getattr(instance, field.attname, None))
        if problem:
            errors.setdefault(field.name, []).append(problem)
    if errors:
        raise ValidationError(errors)
    return instance


@cache
def _fields_by_attname(model) -> dict:
    return {f.attname: f for f in model._meta.concrete_fields}


def values_check(model: type[models.Model], values: dict) -> dict:
    """:func:`instance_check` on a dict of field values by attname (the bulk import's plain rows)."""
    fields = _fields_by_attname(model)
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        field = fields.get(name)
        problem = _field_problem(field, value) if field is not None else None
        if problem:
            errors.setdefault(field.name, []).append(problem)
    if errors:
        raise ValidationError(errors)
    return values


class CheckedFieldsMixin:
    """For models: ``full_clean`` (the admin's forms, the services) also runs :func:`instance_check`
    and the model's ``field_checks`` (field name -> check, e.g. ``{"csl": csl_check}``) on the
    fields it validates."""

    field_checks: dict = {}

    def clean_fields(self, exclude=None):
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        skip = set(exclude or ()) | set(errors)
        try:
            instance_check(self, exclude=skip)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for name, check in self.field_checks.items():
            if name in skip or name in errors:
                continue
            try:
                check(getattr(self, name), field=name)
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class CheckedJSONFormField(forms.JSONField):
    """The admin's JSON field: a value nested deeper than Python's stack, NaN, Infinity, a lone
    surrogate or a NUL is a form error, not a server error."""

    default_error_messages = {"invalid": "Enter valid JSON: %(reason)s"}

    def _loads(self, value):
        try:
            return json.loads(value, cls=self.decoder, parse_constant=_refuse_constant)
        except RecursionError:
            raise ValueError(f"nested more than {MAX_JSON_DEPTH} levels deep") from None

    def to_python(self, value):
        if self.disabled or value in self.empty_values or isinstance(value, list | dict | int | float | forms.fields.JSONString):
            return super().to_python(value)
        try:
            converted = self._loads(value)
        except ValueError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid",
                                  params={"value": value, "reason": str(exc)[:200]}) from None
        problem = json_value_problem(converted)
        if problem:
            raise ValidationError(self.error_messages["invalid"], code="invalid",
                                  params={"value": value, "reason": problem})
        if isinstance(converted, str):
            return forms.fields.JSONString(converted)
        return converted

    def bound_data(self, data, initial):
        if self.disabled:
            return initial
        if data is None:
            return None
        try:
            value = self._loads(data)
        except ValueError:
            return forms.fields.InvalidJSONInput(data)
        # shown again as typed: a value with a lone surrogate cannot even be rendered as UTF-8
        return forms.fields.InvalidJSONInput(data) if json_value_problem(value) else value


#: ``formfield_overrides`` of every admin that edits a JSON field.
ADMIN_FORMFIELDS = {models.JSONField: {"form_class": CheckedJSONFormField}}


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows; give {ACCEPTED_NUMBER}")
