"""OpenTravel messages from a channel manager, AlpineBits 2018-10 profile (HR-2, HR-4, HR-14).

Two requests are understood, each answered with its ``...RS`` holding ``<Success/>`` (and
``<Warnings>`` for what was read but not stored) or ``<Errors>``. All or nothing: every part
of a message is checked first; one error refuses the whole message and nothing is written
(the endpoint also rolls the session back when applying raises a ``DomainError``).

``OTA_HotelAvailNotifRQ`` (FreeRooms: allotments, and restrictions: stop-sell, closed to
arrival / departure, minimum stay, release days) is read by ``ota_avail``; its docstring says
what is stored, what is refused (SetMaxLOS among others: Errors) and what only warned about.

``OTA_HotelRatePlanNotifRQ`` (RatePlans): ``RatePlans/@HotelCode`` is our hotel id;
``RatePlan/@RatePlanCode`` names a rate plan of the room type named by ``Rate/@InvTypeCode``;
``Rate/@Start``..``@End`` (inclusive nights) get one price per room and night. Because we
store one price per room, each ``Rate`` carries exactly one ``BaseByGuestAmt``; its
``@AmountAfterTax`` is the sell price. OTA has no field for what we pay the hotel, and we do
not guess it (a fixed discount would misstate HR-4), so the net price is required in our own
attribute on the same element::

    <BaseByGuestAmt xmlns:roomline="urn:roomline:ota" AmountAfterTax="688.00"
                    roomline:NetAmount="600.00"/>

Amounts are decimals in the hotel's currency, at most the money ceiling as everywhere
(``shared.limits``, ``ROOMLINE_MONEY_CEILING_MINOR``: above it is EWT 3 / ERR 320 naming the
attribute); ``Start``/``End`` lie inside the business's date window (``ota_xml``).
``RatePlan/@CurrencyCode``, if given, must be the hotel's currency (HR-14). Sell below net
is refused (HR-4). ``RatePlanNotifType="Remove"`` is refused; the "static" rate (no
``InvTypeCode``), booking rules, supplements, offers and extra-guest amounts are not stored
and answered as warnings.

A channel manager's credential (``channel_managers``) names the hotels it may update; a
message for another hotel is refused as a whole (EWT 6, ERR 497). Parsing, error codes and the
answer document are in ``ota_xml``.
"""

from __future__ import annotations

import uuid
from xml.etree.ElementTree import Element

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.bounds import parse_price
from services.contracts.hotels import service
from services.contracts.hotels.schemas import RatesIn
from services.contracts.ota.avail import hotel_avail_notif
from services.contracts.ota.xml import (
    AVAIL_RQ,
    MAX_BYTES,
    RATE_PLAN_RQ,
    RESPONSES,
    ROOMLINE_NS,
    Checker,
    OtaError,
    OtaRefused,
    OtaResult,
    answer,
    child,
    children,
    expect_root,
    hotel_file_of,
    local,
    parse,
    refused,
    room_type_named,
)
from shared.money import Money
from shared.web import readable_errors

# The names the endpoints and the upload page use, kept here so callers import one module.
__all__ = [
    "AVAIL_RQ",
    "MAX_BYTES",
    "RATE_PLAN_RQ",
    "RESPONSES",
    "OtaError",
    "OtaResult",
    "answer",
    "notify",
    "refused",
]

NET_AMOUNT = f"{{{ROOMLINE_NS}}}NetAmount"


def _prices(check: Checker, where: str, rate: Element, currency: str) -> tuple[Money, Money] | None:
    holder = child(rate, "BaseByGuestAmts")
    amounts = list(children(holder, "BaseByGuestAmt")) if holder is not None else []
    if len(amounts) != 1:
        text = f"exactly one BaseByGuestAmt (the price per room) is needed, got {len(amounts)}"
        check.fail(where, text, type_="10" if not amounts else "13", code="321")
        return None
    sell_text, net_text = amounts[0].get("AmountAfterTax"), amounts[0].get(NET_AMOUNT)
    if not sell_text:
        check.fail(where, "AmountAfterTax (sell) is required", type_="10", code="321")
    if not net_text:
        text = f'the net price is required: roomline:NetAmount (xmlns:roomline="{ROOMLINE_NS}")'
        check.fail(where, text, type_="10", code="321")
    if not sell_text or not net_text:
        return None
    prices: dict[str, Money] = {}
    for attribute, text in (("AmountAfterTax", sell_text), ("roomline:NetAmount", net_text)):
        try:
            prices[attribute] = parse_price(text, currency)
        except ValueError as exc:
            check.fail(where, f"{attribute}: {exc}", type_="3")
    if len(prices) < 2:
        return None
    sell, net = prices["AmountAfterTax"], prices["roomline:NetAmount"]
    if net.amount_minor < 0 or sell.amount_minor < net.amount_minor:
        # HR-4 asks for a 10% average margin; selling below net is never allowed.
        check.fail(where, f"sell {sell} is below net {net}", type_="3")
        return None
    return net, sell


def _rate(
    file: service.HotelFile, check: Checker, where: str, plan_code: str, rate: Element
) -> RatesIn | None:
    if rate.get("InvTypeCode") is None and rate.get("Start") is None:
        check.warnings.append(f"{where}: the static rate is not stored")
        return None
    room_type = room_type_named(file, check, where, rate.get("InvTypeCode"))
    plan = None
    if room_type is not None:
        plan = next(
            (
                p
                for p in file.rate_plans
                if p.room_type_id == room_type.room_type_id and p.name == plan_code
            ),
            None,
        )
        if plan is None:
            check.fail(where, f"{room_type.name} has no rate plan {plan_code!r}", code="249")
    nights = check.nights(where, rate)
    prices = _prices(check, where, rate, file.hotel.currency)
    extras = [local(c.tag) for c in rate if local(c.tag) != "BaseByGuestAmts"]
    if extras:
        check.warnings.append(f"{where}: not stored: {', '.join(extras)}")
    if plan is None or nights is None or prices is None:
        return None
    (first, last), (net, sell) = nights, prices
    try:
        return RatesIn(
            rate_plan_id=plan.rate_plan_id,
            first_night=first,
            last_night=last,
            net_minor=net.amount_minor,
            sell_minor=sell.amount_minor,
        )
    except ValidationError as exc:  # the checks above mirror its bounds; kept as a net
        check.fail(where, readable_errors(exc), type_="3")
        return None


def _rate_plan(
    file: service.HotelFile, check: Checker, number: int, element: Element
) -> list[RatesIn]:
    where = f"RatePlan {number}"
    code = element.get("RatePlanCode")
    if not code:
        check.fail(where, "RatePlanCode (rate plan name) is required", type_="10", code="321")
        return []
    if element.get("RatePlanNotifType", "New") not in ("New", "Overlay"):
        check.fail(where, f"RatePlanNotifType {element.get('RatePlanNotifType')} is not supported")
    currency = element.get("CurrencyCode")
    if currency and currency != file.hotel.currency:
        # HR-14: a hotel's prices are in its own currency.
        text = f"CurrencyCode {currency} is not the hotel's currency {file.hotel.currency}"
        check.fail(where, text, type_="3")
    extras = [local(c.tag) for c in element if local(c.tag) != "Rates"]
    if extras:
        check.warnings.append(f"{where} {code}: not stored: {', '.join(extras)}")
    rates_holder = child(element, "Rates")
    rates = list(children(rates_holder, "Rate")) if rates_holder is not None else []
    checked = [
        _rate(file, check, f"{where} {code}, Rate {index}", code, rate)
        for index, rate in enumerate(rates, start=1)
    ]
    return [r for r in checked if r is not None]


async def hotel_rate_plan_notif(
    session: AsyncSession,
    *,
    actor: service.Actor,
    root: Element,
    allowed: frozenset[uuid.UUID] | None = None,
) -> OtaResult:
    """Apply an OTA_HotelRatePlanNotifRQ all or nothing (see the module's docs); ``allowed``
    is the sender's hotels (None = any)."""
    expect_root(root, RATE_PLAN_RQ)
    holder = child(root, "RatePlans")
    file = await hotel_file_of(session, holder, allowed)
    assert holder is not None
    check, all_rates = Checker(), []
    for number, element in enumerate(children(holder, "RatePlan"), start=1):
        all_rates += _rate_plan(file, check, number, element)
    if not check.errors and not all_rates:
        check.fail("RatePlans", "no Rate with prices to set", type_="10", code="321")
    if check.errors:
        raise OtaRefused(check.errors)
    for rates in all_rates:
        await service.set_rates(session, actor=actor, data=rates, hotel_id=file.hotel.hotel_id)
    return OtaResult(RESPONSES[RATE_PLAN_RQ], applied=len(all_rates), warnings=check.warnings)


HANDLERS = {AVAIL_RQ: hotel_avail_notif, RATE_PLAN_RQ: hotel_rate_plan_notif}


async def notify(
    session: AsyncSession,
    *,
    actor: service.Actor,
    body: bytes,
    expected: str | None = None,
    allowed: frozenset[uuid.UUID] | None = None,
) -> OtaResult:
    """Parse and apply one message; ``expected`` pins the request type (the OTA endpoints),
    else it is chosen by the root element (the upload form); ``allowed`` limits the hotels
    (a channel manager's credential; None = any). Refusals come back as the result's errors
    with nothing written; a domain error while applying propagates."""
    response = RESPONSES.get(expected or "", RESPONSES[AVAIL_RQ])
    try:
        root = parse(body)
        name = expected or local(root.tag)
        if name not in HANDLERS:
            raise OtaRefused([OtaError("12", "450", f"{name} is not a message we accept")])
        response = RESPONSES[name]
        return await HANDLERS[name](session, actor=actor, root=root, allowed=allowed)
    except OtaRefused as exc:
        return OtaResult(response, errors=exc.errors, http_status=exc.http_status)
