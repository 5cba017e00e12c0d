"""Refused form input as a sentence a desk user can act on, naming fields by their labels."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError


def labelled_errors(exc: ValidationError, labels: Mapping[str, str]) -> str:
    """ "Text: String should have at least 1 character" rather than "body: …"."""
    parts = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "form"
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{labels.get(field, field.replace('_', ' '))}: {message}")
    return "; ".join(parts)
