"""The agents' search: JSON API, the page ``/`` and its results fragment (IN-2, IN-3).

The page is a plain GET form that works without JavaScript; a small script in the page fetches
``/search/results`` (the same results, server-rendered) and swaps them in without a reload,
keeping the address bar on the shareable ``/?city=…`` URL.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.auth import DESK_ROLES
from services.intake.booking.schemas import PAYMENT_MODES
from services.intake.bounds import Rooms
from services.intake.hotel_answers import full_house
from services.intake.search import service as search
from services.intake.search.schemas import HotelAlternatives, SearchFilters, SearchPage
from shared.auth import Staff, require
from shared.booking_refs import BOOKING_REF_RE
from shared.clock import clock
from shared.db import DbSession
from shared.errors import DomainError
from shared.field_errors import plain_message
from shared.i18n import N_, _
from shared.limits import BusinessDate, Uuid
from shared.web import render

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]

# The page's query parameters, in the form's order; ``per_page`` is not on the form but a
# shared link may carry it.
FIELDS: tuple[str, ...] = ("city", "check_in", "check_out", "rooms", "name", "district")
FIELDS += ("star", "star_min", "price_min", "price_max", "page", "per_page")
LABELS = {
    "city": N_("City"),
    "check_in": N_("Check-in"),
    "check_out": N_("Check-out"),
    "rooms": N_("Rooms"),
    "name": N_("Hotel name"),
    "district": N_("District"),
    "star": N_("Stars"),
    "star_min": N_("At least"),
    "price_min": N_("Price from"),
    "price_max": N_("Price to"),
    "page": N_("Page"),
    "per_page": N_("Per page"),
}
# Pydantic's parse errors, as a person at the desk can act on them (translated where shown).
_HINTS = {
    "date_from_datetime_parsing": N_("enter a date like 2026-12-03."),
    "date_parsing": N_("enter a date like 2026-12-03."),
    "date_type": N_("enter a date like 2026-12-03."),
    "int_parsing": N_("enter a whole number."),
    "int_from_float": N_("enter a whole number."),
    "decimal_parsing": N_("enter an amount like 480 or 480.50."),
    "decimal_max_places": N_("at most 2 decimal places."),
    "missing": N_("required."),
}


# --- JSON API ------------------------------------------------------------------------------


@router.get("/api/search", response_model=SearchPage)
async def api_search(
    session: DbSession, staff: DeskStaff, filters: Annotated[SearchFilters, Query()]
) -> SearchPage:
    """Search sellable rooms by city, stay, district, name, stars and price (IN-2, IN-3)."""
    return await search.search(session, filters=filters)


@router.get("/api/alternatives", response_model=HotelAlternatives)
async def api_alternatives(
    session: DbSession,
    staff: DeskStaff,
    hotel_id: Uuid,
    check_in: BusinessDate,
    check_out: BusinessDate,
    rooms: Rooms = 1,
) -> HotelAlternatives:
    """Up to five hotels of the same grade nearby that can sell the stay (IN-3)."""
    return await search.alternatives_for(
        session, hotel_id=hotel_id, check_in=check_in, check_out=check_out, rooms=rooms
    )


# --- the page and its fragment -------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def search_page(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """Search form and results on one page (IN-2); works without JavaScript. Above them, the
    agent's bookings gone full house that he has not yet called about (CF-3)."""
    called = request.query_params.get("called", "")
    recorded = BOOKING_REF_RE.fullmatch(called) is not None
    return await _results(
        request, session, staff, "search.html",
        full_house_notices=await full_house.open_notices(session, staff=staff),
        notice=_("Recorded: you called the customer of %(ref)s.") % {"ref": called}
        if recorded
        else "",
    )  # fmt: skip


@router.get("/search/results", response_class=HTMLResponse)
async def search_results(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """The results area alone, for the page's script to swap in without a reload."""
    return await _results(request, session, staff, "_search_results.html")


async def _results(
    request: Request, session: AsyncSession, staff: Staff, template: str, **page: Any
) -> Response:
    typed = {k: v.strip() for k, v in request.query_params.items() if k in FIELDS and v.strip()}
    form = _form(typed)
    result, error, field, status = None, "", "", 200
    suggestions: list[dict[str, str]] = []
    if {"city", "check_in", "check_out"} & typed.keys():
        try:
            filters = SearchFilters.model_validate(typed)
            result = await search.search(session, filters=filters)
        except ValidationError as exc:
            error, field, status = _readable(exc), _first_field(exc), 422
        except DomainError as exc:
            error, field, status = exc.sentence, exc.field or "", exc.status_code
            if isinstance(exc, search.UnknownCity):  # the close matches, one click each
                suggestions = [_with(typed, city=c) for c in exc.suggestions]
    return render(
        request.app.state.templates,
        request,
        template,
        staff,
        status_code=status,
        form=form,
        result=result,
        search_error=error,
        error_field=field,
        narrowing=_narrowing(result),
        page_links=_page_links(typed, result),
        city_suggestions=suggestions,
        district_links=[
            _with(typed, district=d.name) | {"hotels": str(d.hotels)} for d in result.districts
        ]
        if result
        else [],
        payment_modes=PAYMENT_MODES,
        labels=LABELS,
        **page,
    )


def _form(typed: dict[str, str]) -> dict[str, str]:
    """What the form shows: what was typed, or tomorrow's one-night stay for one room."""
    today = clock.today()
    defaults = {
        "check_in": today.isoformat(),
        "check_out": (today + timedelta(days=1)).isoformat(),
        "rooms": "1",
    }
    return {name: typed.get(name, defaults.get(name, "")) for name in FIELDS}


def _with(typed: dict[str, str], **changed: str) -> dict[str, str]:
    """A link to the same search with one field changed, from its first page."""
    query = {k: v for k, v in typed.items() if k != "page"} | changed
    return {"label": next(iter(changed.values())), "query": urlencode(query)}


def _readable(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "form"
        label = _(LABELS[name]) if name in LABELS else name
        shown = _(_HINTS[error["type"]]) if error["type"] in _HINTS else plain_message(error)
        parts.append(_("%(field)s: %(problem)s") % {"field": label, "problem": shown})
    return " ".join(parts)


def _first_field(exc: ValidationError) -> str:
    first = exc.errors()[0]["loc"]
    return str(first[0]) if first else ""


def _narrowing(result: SearchPage | None) -> str:
    """The filters in words, for "No hotel in Beijing matches …" (IN-2)."""
    if result is None:
        return ""
    chosen = result.filters.narrowing()
    words = []
    if "name" in chosen:
        words.append(f"“{chosen['name']}”")
    if "district" in chosen:
        words.append(_("in %(district)s") % {"district": chosen["district"]})
    if "star" in chosen:
        words.append(f"{chosen['star']}★")
    if "star_min" in chosen:
        words.append(_("%(star)s★ or better") % {"star": chosen["star_min"]})
    low, high = chosen.get("price_min"), chosen.get("price_max")
    if low is not None or high is not None:
        band = f"{low if low is not None else 0}–{high if high is not None else '…'}"
        words.append(_("%(band)s a night") % {"band": band})
    return ", ".join(words)


def _page_links(typed: dict[str, str], result: SearchPage | None) -> list[dict[str, Any]]:
    """Previous / numbered / next page links carrying the same filters (shareable URLs)."""
    if result is None or result.pages <= 1:
        return []

    def link(number: int, label: str, rel: str = "", gap: bool = False) -> dict[str, Any]:
        query = urlencode({**typed, "page": str(number)})
        current = number == result.page and not rel
        return {"label": label, "query": query, "current": current, "rel": rel, "gap": gap}

    wanted = sorted({1, result.page - 1, result.page, result.page + 1, result.pages})
    numbers = [n for n in wanted if 1 <= n <= result.pages]
    links = [link(result.page - 1, _("‹ Previous"), "prev")] if result.page > 1 else []
    links += [link(n, str(n), gap=i > 0 and n - numbers[i - 1] > 1) for i, n in enumerate(numbers)]
    if result.page < result.pages:
        links.append(link(result.page + 1, _("Next ›"), "next"))
    return links
