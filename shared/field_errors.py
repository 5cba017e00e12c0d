"""Refused form input in plain language, next to each field and summarised at the top (issue 15).

One piece for every service's forms. ``field_errors(exc)`` turns a pydantic ``ValidationError``,
a FastAPI ``RequestValidationError`` or a ``DomainError`` into ``FieldErrors``: one catalog
message per refused field, never pydantic's own English ("Field required", "Input should …")
nor a rule's ID. A page passes it as its ``error`` (``render(..., error=errors)``); base.html
puts the summary at the top, and ``annotate`` (called by ``shared.pages.render``) finds each
field in the posted form, marks it ``aria-invalid`` and ``aria-describedby``, writes the
message after it and links the summary's item to it. The field's label is read from the page
itself (its ``<label>``), so a form needs no list of labels to get this.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import unescape
from typing import Any, Protocol

from fastapi.exceptions import RequestValidationError
from jinja2 import Environment
from markupsafe import escape
from pydantic import ValidationError

from shared.i18n import N_, local_number, translations
from shared.i18n import gettext as _
from shared.limits import Refusal


class DomainError(Protocol):
    """What this reads of ``shared.errors.DomainError`` (which imports this module)."""

    field: str | None
    status_code: int

    @property
    def sentence(self) -> str: ...


# The message per pydantic error type. Label-free: the field's label stands beside it on the
# page and before it in the summary.
REQUIRED = N_("Fill this in.")
NOT_ACCEPTED = N_("This value is not accepted; check it.")
MESSAGES: dict[str, str] = {
    "missing": REQUIRED,
    "string_too_short": N_("Enter at least %(min_length)s characters."),
    "string_too_long": N_("Use at most %(max_length)s characters (this has %(length)s)."),
    "too_short": N_("Enter at least %(min_length)s."),
    "too_long": N_("Enter at most %(max_length)s."),
    "greater_than": N_("Enter a number above %(gt)s."),
    "greater_than_equal": N_("Enter %(ge)s or more."),
    "less_than": N_("Enter a number below %(lt)s."),
    "less_than_equal": N_("Enter %(le)s or less."),
    "int_parsing": N_("Enter a whole number, like 2."),
    "int_type": N_("Enter a whole number, like 2."),
    "int_from_float": N_("Enter a whole number, like 2."),
    "float_parsing": N_("Enter a number, like 580.00."),
    "float_type": N_("Enter a number, like 580.00."),
    "decimal_parsing": N_("Enter a number, like 580.00."),
    "decimal_type": N_("Enter a number, like 580.00."),
    "decimal_max_digits": N_("Enter at most %(max_digits)s digits."),
    "decimal_whole_digits": N_("Enter at most %(whole_digits)s digits before the point."),
    "decimal_max_places": N_("Enter at most %(decimal_places)s digits after the point."),
    "finite_number": N_("Enter a number, like 580.00."),
    "date_parsing": N_("Enter a date as YYYY-MM-DD, like 2026-12-24."),
    "date_from_datetime_parsing": N_("Enter a date as YYYY-MM-DD, like 2026-12-24."),
    "date_from_datetime_inexact": N_("Enter a date as YYYY-MM-DD, like 2026-12-24."),
    "date_type": N_("Enter a date as YYYY-MM-DD, like 2026-12-24."),
    "datetime_parsing": N_("Enter a date and time, like 2026-12-24 18:30."),
    "datetime_from_date_parsing": N_("Enter a date and time, like 2026-12-24 18:30."),
    "datetime_type": N_("Enter a date and time, like 2026-12-24 18:30."),
    "timezone_aware": N_("Enter a date and time, like 2026-12-24 18:30."),
    "time_parsing": N_("Enter a time as HH:MM, like 18:30."),
    "time_type": N_("Enter a time as HH:MM, like 18:30."),
    "bool_parsing": N_("Choose yes or no."),
    "bool_type": N_("Choose yes or no."),
    "enum": N_("Choose one of the offered options."),
    "literal_error": N_("Choose one of the offered options."),
    "uuid_parsing": N_("Pick this from the list; the value sent is not one of ours."),
    "uuid_type": N_("Pick this from the list; the value sent is not one of ours."),
    "string_pattern_mismatch": N_("This is not written the expected way; check it."),
    "string_type": N_("Enter text here."),
    "url_parsing": N_("Enter a web address, like https://example.com."),
    "json_invalid": N_("The form could not be read; send it again."),
    "extra_forbidden": N_("This field is not part of the form."),
    "list_type": N_("Enter one or more values."),
}
TOO_MUCH = N_("This amount is above the largest we accept; check it.")
EMAIL = N_("Enter an e-mail address, like name@example.com.")
LIST_ITEM = N_("Line %(number)s: %(message)s")
LOCATION_PARTS = ("body", "query", "path", "form")


@dataclass
class Problem:
    """One refused field: ``field`` as the form posts it (``guest_names``), ``message`` in the
    reader's language; ``label`` and ``anchor`` are filled from the page when found there."""

    field: str
    message: str
    label: str = ""
    anchor: str = ""
    position: int = -1  # where the field stands on the page: the summary follows the page


@dataclass
class FieldErrors:
    """Every refused field of one post, plus refusals that concern no one field."""

    problems: list[Problem] = field(default_factory=list)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.problems or self.general)

    def __str__(self) -> str:
        """One line, for a page that shows the refusal as text (and for logs)."""
        parts = [*self.general]
        parts += [f"{p.label or _humanised(p.field)}: {p.message}" for p in self.problems]
        return " ".join(parts)

    def messages(self) -> dict[str, str]:
        """Field → message (the first message of a field wins)."""
        found: dict[str, str] = {}
        for problem in self.problems:
            found.setdefault(problem.field, problem.message)
        return found


def _humanised(name: str) -> str:
    return name.replace("_", " ").replace(".", " ").strip().capitalize()


def _is_catalog_text(text: str) -> bool:
    """A text our own code marked for translation (or its Chinese): safe to show as it is.
    GNUTranslations keeps its messages in ``_catalog``; without it, nothing counts."""
    catalog = getattr(translations("zh_CN"), "_catalog", {})
    return text in catalog or text in catalog.values()


def _params(error: Mapping[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in dict(error.get("ctx") or {}).items():
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        params[key] = local_number(value) if is_number else value
    given = error.get("input")
    if isinstance(given, str | list):
        params["length"] = local_number(len(given))
    return params


def _value_error_message(error: Mapping[str, Any]) -> str:
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, Refusal):
        return cause.plain()
    text = str(error.get("msg", "")).removeprefix("Value error, ")
    if text.startswith("value is not a valid email address"):
        return _(EMAIL)
    if _is_catalog_text(text):
        return _(text)
    # A value error is always one of our validators' sentences (pydantic's own errors have
    # types of their own): shown as said, which keeps what it tells, rather than a vaguer one.
    return text


def plain_message(error: Mapping[str, Any]) -> str:
    """One pydantic error as a catalog sentence in the reader's language."""
    kind = str(error.get("type", ""))
    if kind in ("value_error", "assertion_error"):
        return _value_error_message(error)
    template = MESSAGES.get(kind, NOT_ACCEPTED)
    if kind == "string_too_short" and (error.get("ctx") or {}).get("min_length") == 1:
        template = REQUIRED
    try:
        return _(template) % _params(error)
    except (KeyError, TypeError, ValueError):  # a context pydantic did not give: say it plainly
        return _(NOT_ACCEPTED)


def _field_and_line(loc: tuple[Any, ...], *, located: bool) -> tuple[str, int | None]:
    """``("guest_names", 1)`` → ``("guest_names", 2)``: the field and a 1-based line.
    ``located``: FastAPI's errors start with where the value came (``("body", "username")``);
    a model's own do not, and a field may be called ``body``."""
    parts = list(loc[1:] if located and loc and loc[0] in LOCATION_PARTS else loc)
    line = None
    if parts and isinstance(parts[-1], int):
        line = parts.pop() + 1
    return ".".join(str(p) for p in parts), line


def field_errors(
    exc: ValidationError | RequestValidationError | DomainError | FieldErrors,
    *,
    names: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> FieldErrors:
    """A refusal as ``FieldErrors``. ``names`` maps a model field to the form field that
    typed it where they differ (``special_sell_minor`` → ``special_sell``); ``labels`` gives
    a field's label (translated by the caller) where the page has none to read."""
    if isinstance(exc, FieldErrors):
        return exc
    names, labels = names or {}, labels or {}
    result = FieldErrors()
    if not isinstance(exc, ValidationError | RequestValidationError):  # a DomainError
        name = names.get(exc.field or "", exc.field or "")
        # A fixed sentence marked N_() where raised is translated here; a translated one or
        # one with values in it stays as it is.
        sentence = _(exc.sentence)
        if name:
            result.problems.append(Problem(name, sentence, label=labels.get(name, "")))
        else:
            result.general.append(sentence)
        return result
    for error in exc.errors():
        located = isinstance(exc, RequestValidationError)
        name, line = _field_and_line(tuple(error.get("loc", ())), located=located)
        message = plain_message(error)
        if name.endswith("_minor") and str(error.get("type", "")).startswith("less_than"):
            # Its ceiling is in minor units (cents), not what the person typed: say it plainly.
            message = _(TOO_MUCH)
        if line is not None:
            message = _(LIST_ITEM) % {"number": line, "message": message}
        if not name:
            result.general.append(message)
            continue
        name = names.get(name, name)
        result.problems.append(Problem(name, message, label=labels.get(name, "")))
    return result


def refusal(
    exc: ValidationError | DomainError, *, labels: Mapping[str, str] | None = None
) -> tuple[FieldErrors, int]:
    """The refusal to show on the form again and its status: 422 for refused input, the
    error's own status for a refusal by the service."""
    status = 422 if isinstance(exc, ValidationError) else exc.status_code
    return field_errors(exc, labels=labels), status


def readable_errors(exc: ValidationError | RequestValidationError | DomainError) -> str:
    """A refusal as one plain-language line, for places that show text only."""
    return str(field_errors(exc))


# --- Marking the refused fields on the rendered page -----------------------------------------

_ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_FORM = re.compile(rf"<form\b{_ATTRS}>.*?</form>", re.S | re.I)
_CONTROL = re.compile(rf"<(input|select|textarea)\b({_ATTRS})>", re.I)
_ATTR = re.compile(r"""\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
_TAGS = re.compile(r"<[^>]*>")
SUMMARY_SLOT = "<!--roomline:error-summary-->"


def _attrs(tag_body: str) -> dict[str, str]:
    return {k.lower(): unescape(v.strip("\"'")) for k, v in _ATTR.findall(" " + tag_body)}


def _posted_forms(html: str, path: str) -> list[tuple[int, int]]:
    """The spans of the forms that post to ``path`` (the refused one: a page may have two,
    a memo's status buttons and its reply box), else the whole page."""
    spans = []
    for match in _FORM.finditer(html):
        opening = html[match.start() : html.index(">", match.start()) + 1]
        attrs = _attrs(opening[5:-1])
        posts = attrs.get("method", "get").lower() == "post"
        if posts and attrs.get("action", "") in ("", path):
            spans.append((match.start(), match.end()))
    return spans or [(0, len(html))]


def _label_text(html: str, start: int, attrs: Mapping[str, str]) -> str:
    """The label a person sees for the control starting at ``start``."""
    if control_id := attrs.get("id"):
        pattern = rf'<label\b[^>]*\bfor="{re.escape(control_id)}"[^>]*>(.*?)</label>'
        found = re.search(pattern, html, re.S)
        if found:
            return _plain(found.group(1))
    opening = html.rfind("<label", 0, start)
    if opening != -1 and html.rfind("</label>", 0, start) < opening:
        return _plain(html[html.index(">", opening) + 1 : start])
    return attrs.get("aria-label", "") or attrs.get("placeholder", "")


def _plain(fragment: str) -> str:
    return " ".join(unescape(_TAGS.sub(" ", fragment)).split()).rstrip(":：")


def _control_end(html: str, match: re.Match[str]) -> int:
    tag = match.group(1).lower()
    if tag == "input":
        return match.end()
    closing = html.find(f"</{tag}>", match.end())
    return match.end() if closing == -1 else closing + len(tag) + 3


def _mark(html: str, path: str, problem: Problem, macros: Any) -> str:
    """Mark ``problem``'s control in the posted form and write its message after it."""
    controls = (m for span in _posted_forms(html, path) for m in _CONTROL.finditer(html, *span))
    for match in controls:
        attrs = _attrs(match.group(2))
        if attrs.get("name") != problem.field or attrs.get("type", "").lower() == "hidden":
            continue
        problem.label = problem.label or _label_text(html, match.start(), attrs)
        control_id = attrs.get("id") or f"field-{problem.field}"
        problem.anchor = control_id
        problem.position = match.start()
        message_id = f"{control_id}-error"
        added = "" if "id" in attrs else f' id="{escape(control_id)}"'
        if "aria-invalid" not in attrs:
            added += ' aria-invalid="true"'
        described = " ".join(filter(None, [attrs.get("aria-describedby"), message_id]))
        body = re.sub(r"""\saria-describedby\s*=\s*("[^"]*"|'[^']*')""", "", match.group(2))
        added += f' aria-describedby="{escape(described)}"'
        opening = f"<{match.group(1)}{body.rstrip('/').rstrip()}{added}>"
        end = _control_end(html, match)
        message = str(macros.field_message(problem, message_id))
        rest = html[match.end() : end]
        return html[: match.start()] + opening + rest + message + html[end:]
    return html


def _one_per_field(errors: FieldErrors) -> None:
    """Two refusals of one field (two guest-name lines) become one message beside it."""
    merged: dict[str, Problem] = {}
    for problem in errors.problems:
        if problem.field in merged:
            merged[problem.field].message += " " + problem.message
        else:
            merged[problem.field] = problem
    errors.problems = list(merged.values())


def annotate(html: str, errors: FieldErrors, *, path: str, env: Environment) -> str:
    """The page with each refused field marked and its message beside it, and the summary
    (whose items link to the fields) where base.html left its slot."""
    macros: Any = env.get_template("_field_errors.html").module
    _one_per_field(errors)
    for problem in errors.problems:
        html = _mark(html, path, problem, macros)
    # Unplaced ones (no such field on the page) last; a marked field shifts the later ones'
    # positions by the same amount, so their order stands.
    errors.problems.sort(key=lambda p: (p.position < 0, p.position))
    summary = str(macros.summary(errors, _humanised))
    if SUMMARY_SLOT in html:
        html = html.replace(SUMMARY_SLOT, summary, 1).replace(SUMMARY_SLOT, "")
    return html
