"""OpenTravel messages from a channel manager, AlpineBits 2018-10 profile (HR-2, HR-4, HR-14).

Two requests are understood, each answered with its ``...RS`` holding ``<Success/>`` (and
``<Warnings>`` for what was read but not stored) or ``<Errors>``. All or nothing: every part
of a message is checked first; one error refuses the whole message and nothing is written.

``OTA_HotelAvailNotifRQ`` (FreeRooms): ``AvailStatusMessages/@HotelCode`` is our hotel id.
Each ``AvailStatusMessage`` with ``BookingLimit`` sets the allotment (absolute, 0..999) of the
room type named by ``StatusApplicationControl/@InvTypeCode`` on every night from ``@Start``
to ``@End`` (both inclusive: they name nights). ``@RatePlanCode``, if given, must name one of
that room type's rate plans (allotment is held per room type, so it changes nothing else).
Refused because we cannot honour them: distinct rooms (``@InvCode``), relative limits
(``BookingLimitMessageType`` other than ``SetLimit``), and ``UniqueID Instance="CompleteSet"``
or an empty message (a full replace / reset: send deltas instead). Restrictions
(``RestrictionStatus``, ``LengthsOfStay``, ``BookingThreshold``, ...) are not stored yet: they
are answered as warnings.

``OTA_HotelRatePlanNotifRQ`` (RatePlans): ``RatePlans/@HotelCode`` is our hotel id;
``RatePlan/@RatePlanCode`` names a rate plan of the room type named by ``Rate/@InvTypeCode``;
``Rate/@Start``..``@End`` (inclusive nights) get one price per room and night. Because we
store one price per room, each ``Rate`` carries exactly one ``BaseByGuestAmt``; its
``@AmountAfterTax`` is the sell price. OTA has no field for what we pay the hotel, and we do
not guess it (a fixed discount would misstate HR-4), so the net price is required in our own
attribute on the same element::

    <BaseByGuestAmt xmlns:roomline="urn:roomline:ota" AmountAfterTax="688.00"
                    roomline:NetAmount="600.00"/>

Amounts are decimals in the hotel's currency; ``RatePlan/@CurrencyCode``, if given, must be
it (HR-14). Sell below net is refused (HR-4). ``RatePlanNotifType="Remove"`` is refused; the
"static" rate (no ``InvTypeCode``), booking rules, supplements, offers and extra-guest
amounts are not stored and answered as warnings.

Parsing is done by ``defusedxml`` with DTDs forbidden: no entity expansion (billion laughs),
no external entities or network access (XXE). Namespaces are not checked, only local names.
Error ``Type`` values are OTA EWT codes (2 no implementation, 3 business rule, 10 required
field missing, 12 processing exception, 13 application error; warnings use 11 advisory) and
``Code`` values OTA ERR codes (15 invalid date, 249 invalid rate code, 320 invalid value,
321 required field missing, 392 invalid hotel code, 402 invalid room type, 450 unable to
process).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from xml.etree.ElementTree import Element

import defusedxml
import defusedxml.ElementTree as SafeET
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts import service
from services.contracts.models import RoomType
from services.contracts.schemas import MAX_RANGE_NIGHTS, AllotmentIn, RatesIn
from shared.dates import check_not_past, check_range
from shared.errors import DomainError, NotFound
from shared.money import Money

OTA_NS = "http://www.opentravel.org/OTA/2003/05"
ROOMLINE_NS = "urn:roomline:ota"
NET_AMOUNT = f"{{{ROOMLINE_NS}}}NetAmount"
MAX_BYTES = 5 * 1024 * 1024
AVAIL_RQ, RATE_PLAN_RQ = "OTA_HotelAvailNotifRQ", "OTA_HotelRatePlanNotifRQ"
RESPONSES = {AVAIL_RQ: "OTA_HotelAvailNotifRS", RATE_PLAN_RQ: "OTA_HotelRatePlanNotifRS"}
# What an AvailStatusMessage may carry that we read but cannot store yet.
AVAIL_RESTRICTIONS = ("BookingThreshold", "MinLOS", "MaxLOS")


@dataclass(frozen=True, slots=True)
class OtaError:
    type: str
    code: str
    text: str


@dataclass
class OtaResult:
    response: str
    applied: int = 0
    errors: list[OtaError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # 200 for any message we could read (refusals included, as OTA servers do); 400 when it
    # is not well-formed XML or carries a DTD.
    http_status: int = 200


class OtaRefused(Exception):
    def __init__(self, errors: list[OtaError], *, http_status: int = 200) -> None:
        super().__init__("; ".join(e.text for e in errors))
        self.errors = errors
        self.http_status = http_status


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if _local(child.tag) == name)


def _child(element: Element, name: str) -> Element | None:
    return next(_children(element, name), None)


def parse(body: bytes) -> Element:
    """The message's root element; refuses DTDs, entities and anything not well-formed."""
    if len(body) > MAX_BYTES:
        too_big = OtaError("12", "450", f"message over {MAX_BYTES // 1024 // 1024} MB")
        raise OtaRefused([too_big], http_status=413)
    try:
        return SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True)
    except defusedxml.DefusedXmlException as exc:
        text = f"DTDs and entities are not accepted ({exc.__class__.__name__})"
        raise OtaRefused([OtaError("12", "450", text)], http_status=400) from exc
    except ET.ParseError as exc:
        malformed = OtaError("12", "450", f"not well-formed XML: {exc}")
        raise OtaRefused([malformed], http_status=400) from exc


def answer(result: OtaResult) -> bytes:
    """The ``...RS`` document: Success (+ Warnings) or Errors, in the OTA default namespace."""
    # Plain names plus a literal xmlns: ElementTree would otherwise prefix them (ns0:).
    root = ET.Element(result.response, {"xmlns": OTA_NS, "Version": "1.000"})
    if result.errors:
        errors = ET.SubElement(root, "Errors")
        for error in result.errors:
            attrs = {"Type": error.type, "Code": error.code}
            ET.SubElement(errors, "Error", attrs).text = error.text
    else:
        ET.SubElement(root, "Success")
        if result.warnings:
            warnings = ET.SubElement(root, "Warnings")
            for text in result.warnings:
                ET.SubElement(warnings, "Warning", {"Type": "11"}).text = text
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def refused(response: str, exc: DomainError) -> OtaResult:
    """A domain error raised while applying, as the message's answer (caller rolls back)."""
    kind = "3" if getattr(exc, "rule", None) else "13"
    return OtaResult(response, errors=[OtaError(kind, "450", exc.detail)])


@dataclass
class _Checker:
    """Collects errors and warnings while a message is read, each named by where it is."""

    errors: list[OtaError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def fail(self, where: str, text: str, *, type_: str = "13", code: str = "320") -> None:
        self.errors.append(OtaError(type_, code, f"{where}: {text}"))

    def nights(self, where: str, element: Element) -> tuple[date, date] | None:
        start, end = element.get("Start"), element.get("End")
        if not start or not end:
            self.fail(where, "Start and End are required", type_="10", code="321")
            return None
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
            check_not_past(first, "Start")
            check_range(first, last, max_nights=MAX_RANGE_NIGHTS, inclusive=True)
        except ValueError as exc:
            self.fail(where, str(exc), type_="3", code="15")
            return None
        return first, last


async def _hotel(session: AsyncSession, holder: Element | None) -> service.HotelFile:
    code = holder.get("HotelCode", "") if holder is not None else ""
    if not code:
        raise OtaRefused([OtaError("10", "321", "HotelCode (our hotel id) is required")])
    try:
        return await service.hotel_file(session, hotel_id=uuid.UUID(code))
    except (ValueError, NotFound) as exc:
        raise OtaRefused([OtaError("13", "392", f"no hotel with HotelCode {code}")]) from exc


def _room_type(
    file: service.HotelFile, check: _Checker, where: str, name: str | None
) -> RoomType | None:
    if not name:
        check.fail(where, "InvTypeCode (room type name) is required", type_="10", code="321")
        return None
    room_type = next((t for t in file.room_types if t.name == name), None)
    if room_type is None:
        check.fail(where, f"{file.hotel.name_en} has no room type {name!r}", code="402")
    return room_type


def _expect(root: Element, name: str) -> None:
    if _local(root.tag) != name:
        text = f"expected {name}, got {_local(root.tag)}"
        raise OtaRefused([OtaError("12", "450", text)])


# --- OTA_HotelAvailNotifRQ -------------------------------------------------------------------


def _avail_message(
    file: service.HotelFile, check: _Checker, where: str, message: Element
) -> AllotmentIn | None:
    control = _child(message, "StatusApplicationControl")
    if control is None:
        check.fail(where, "empty message (a reset) is not supported; send deltas", type_="2")
        return None
    if control.get("InvCode"):
        check.fail(where, "distinct rooms (InvCode) are not supported", type_="2")
    room_type = _room_type(file, check, where, control.get("InvTypeCode"))
    plan_code = control.get("RatePlanCode")
    if room_type is not None and plan_code:
        plans = [p.name for p in file.rate_plans if p.room_type_id == room_type.room_type_id]
        if plan_code not in plans:
            check.fail(where, f"{room_type.name} has no rate plan {plan_code!r}", code="249")
    nights = check.nights(where, control)
    restrictions = [f"{a}={message.get(a)}" for a in AVAIL_RESTRICTIONS if message.get(a)]
    restrictions += [
        _local(c.tag) + "".join(f" {k}={v}" for k, v in c.attrib.items())
        for c in message
        if _local(c.tag) != "StatusApplicationControl"
    ]
    if restrictions:
        check.warnings.append(f"{where}: not stored yet: {'; '.join(restrictions)}")
    limit = message.get("BookingLimit")
    if limit is None:
        if not restrictions:
            check.fail(where, "BookingLimit is required", type_="10", code="321")
        return None
    if message.get("BookingLimitMessageType", "SetLimit") != "SetLimit":
        check.fail(where, "only BookingLimitMessageType SetLimit is supported", type_="2")
    if not limit.isdigit() or int(limit) > 999:
        check.fail(where, f"BookingLimit {limit!r} is not 0..999")
        return None
    if room_type is None or nights is None:
        return None
    first, last = nights
    return AllotmentIn(
        room_type_id=room_type.room_type_id, first_night=first, last_night=last, rooms=int(limit)
    )


async def hotel_avail_notif(
    session: AsyncSession, *, actor: service.Actor, root: Element
) -> OtaResult:
    """Apply an OTA_HotelAvailNotifRQ all or nothing (see the module's docs)."""
    _expect(root, AVAIL_RQ)
    unique = _child(root, "UniqueID")
    if unique is not None and unique.get("Instance") == "CompleteSet":
        text = "UniqueID Instance=CompleteSet (replace all) is not supported; send deltas"
        raise OtaRefused([OtaError("2", "450", text)])
    holder = _child(root, "AvailStatusMessages")
    file = await _hotel(session, holder)
    assert holder is not None
    check, allotments = _Checker(), []
    for number, message in enumerate(_children(holder, "AvailStatusMessage"), start=1):
        allotment = _avail_message(file, check, f"AvailStatusMessage {number}", message)
        if allotment is not None:
            allotments.append(allotment)
    if not check.errors and not allotments and not check.warnings:
        check.fail("AvailStatusMessages", "no AvailStatusMessage", type_="10", code="321")
    if check.errors:
        raise OtaRefused(check.errors)
    for allotment in allotments:
        await service.set_allotment(
            session, actor=actor, data=allotment, hotel_id=file.hotel.hotel_id
        )
    return OtaResult(RESPONSES[AVAIL_RQ], applied=len(allotments), warnings=check.warnings)


# --- OTA_HotelRatePlanNotifRQ ----------------------------------------------------------------


def _prices(
    check: _Checker, where: str, rate: Element, currency: str
) -> tuple[Money, Money] | None:
    holder = _child(rate, "BaseByGuestAmts")
    amounts = list(_children(holder, "BaseByGuestAmt")) if holder is not None else []
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
    try:
        sell, net = Money.parse(sell_text, currency), Money.parse(net_text, currency)
    except ValueError as exc:
        check.fail(where, str(exc))
        return None
    if net.amount_minor < 0 or sell.amount_minor < net.amount_minor:
        # HR-4 asks for a 10% average margin; selling below net is never allowed.
        check.fail(where, f"sell {sell} is below net {net} (HR-4)", type_="3")
        return None
    return net, sell


def _rate(
    file: service.HotelFile, check: _Checker, where: str, plan_code: str, rate: Element
) -> RatesIn | None:
    if rate.get("InvTypeCode") is None and rate.get("Start") is None:
        check.warnings.append(f"{where}: the static rate is not stored")
        return None
    room_type = _room_type(file, check, where, rate.get("InvTypeCode"))
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
    extras = [_local(c.tag) for c in rate if _local(c.tag) != "BaseByGuestAmts"]
    if extras:
        check.warnings.append(f"{where}: not stored: {', '.join(extras)}")
    if plan is None or nights is None or prices is None:
        return None
    (first, last), (net, sell) = nights, prices
    return RatesIn(
        rate_plan_id=plan.rate_plan_id,
        first_night=first,
        last_night=last,
        net_minor=net.amount_minor,
        sell_minor=sell.amount_minor,
    )


def _rate_plan(
    file: service.HotelFile, check: _Checker, number: int, element: Element
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
        text = f"CurrencyCode {currency} is not the hotel's currency {file.hotel.currency} (HR-14)"
        check.fail(where, text, type_="3")
    extras = [_local(c.tag) for c in element if _local(c.tag) != "Rates"]
    if extras:
        check.warnings.append(f"{where} {code}: not stored: {', '.join(extras)}")
    rates_holder = _child(element, "Rates")
    rates = list(_children(rates_holder, "Rate")) if rates_holder is not None else []
    checked = [
        _rate(file, check, f"{where} {code}, Rate {index}", code, rate)
        for index, rate in enumerate(rates, start=1)
    ]
    return [r for r in checked if r is not None]


async def hotel_rate_plan_notif(
    session: AsyncSession, *, actor: service.Actor, root: Element
) -> OtaResult:
    """Apply an OTA_HotelRatePlanNotifRQ all or nothing (see the module's docs)."""
    _expect(root, RATE_PLAN_RQ)
    holder = _child(root, "RatePlans")
    file = await _hotel(session, holder)
    assert holder is not None
    check, all_rates = _Checker(), []
    for number, element in enumerate(_children(holder, "RatePlan"), start=1):
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
    session: AsyncSession, *, actor: service.Actor, body: bytes, expected: str | None = None
) -> OtaResult:
    """Parse and apply one message; ``expected`` pins the request type (the OTA endpoints),
    else it is chosen by the root element (the upload form). Refusals come back as the
    result's errors with nothing written; a domain error while applying propagates."""
    response = RESPONSES.get(expected or "", RESPONSES[AVAIL_RQ])
    try:
        root = parse(body)
        name = expected or _local(root.tag)
        if name not in HANDLERS:
            raise OtaRefused([OtaError("12", "450", f"{name} is not a message we accept")])
        response = RESPONSES[name]
        return await HANDLERS[name](session, actor=actor, root=root)
    except OtaRefused as exc:
        return OtaResult(response, errors=exc.errors, http_status=exc.http_status)
