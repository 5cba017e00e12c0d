"""Every field of every service's API has a bound (issue 14): a string its maximum length (or
an enum, a pattern with a length, a windowed date), an integer or a number its maximum, an
array its maximum of items, a date the business's window (shared.limits.BusinessDate).

The OpenAPI documents are what schemathesis fuzzes and what callers read, so a field that
escapes its type here escapes it everywhere. Hand-parsed forms are bounded at the door by
shared.input_guard (tests/shared/test_input_guard.py)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest

SERVICES = (
    "gateway",
    "intake",
    "contracts",
    "confirmation",
    "members",
    "metrics",
    "noshow",
    "payments",
)
# An upload (its route caps the bytes, BodyLimit); a UUID (its parser takes 36 characters at most).
BOUNDED_FORMATS = ("binary", "uuid")
DATE_FORMATS = ("date", "date-time")


def _problems(
    schema: dict[str, Any], defs: dict[str, Any], where: str, seen: set[str]
) -> Iterator[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _problems(defs[name], defs, f"{where}->{name}", seen | {name})
        return
    for key in ("anyOf", "allOf", "oneOf"):
        for option in schema.get(key, []):
            yield from _problems(option, defs, where, seen)
    kind = schema.get("type")
    if kind == "object":
        for name, item in schema.get("properties", {}).items():
            yield from _problems(item, defs, f"{where}.{name}", seen)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            yield from _problems(extra, defs, f"{where}{{}}", seen)
    elif kind == "array":
        if "maxItems" not in schema:
            yield f"{where}: an array without maxItems"
        yield from _problems(schema.get("items", {}), defs, f"{where}[]", seen)
    elif kind == "string":
        fmt = schema.get("format")
        if fmt in DATE_FORMATS:
            if schema.get("x-window") is None:
                yield f"{where}: a date outside shared.limits' window (use BusinessDate)"
        elif fmt not in BOUNDED_FORMATS and not ({"maxLength", "enum", "const"} & set(schema)):
            yield f"{where}: a string without maxLength"
    elif kind in ("integer", "number") and not (
        {"maximum", "exclusiveMaximum", "enum"} & set(schema)
    ):
        yield f"{where}: a {kind} without maximum"


def unbounded_fields(service: str) -> list[str]:
    app = importlib.import_module(f"services.{service}.app").app
    spec = app.openapi()
    defs = spec.get("components", {}).get("schemas", {})
    found: list[str] = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                found += _problems(schema, defs, f"{where} ?{parameter['name']}", set())
            for content in operation.get("requestBody", {}).get("content", {}).values():
                found += _problems(content.get("schema", {}), defs, f"{where} body", set())
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_field_of_the_service_api_has_a_bound(service: str) -> None:
    assert unbounded_fields(service) == []


def test_the_walk_finds_an_unbounded_field() -> None:
    """The check can fail: a bare ``str``, ``int``, ``date`` and list are each reported."""
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "rooms": {"type": "integer", "minimum": 1},
            "day": {"type": "string", "format": "date"},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 5}},
            "ok": {"type": "string", "maxLength": 10},
        },
    }
    found = list(_problems(schema, {}, "X", set()))
    assert [f.split(":")[0] for f in found] == ["X.name", "X.rooms", "X.day", "X.tags"]
