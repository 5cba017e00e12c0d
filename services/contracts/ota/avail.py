"""``OTA_HotelAvailNotifRQ`` (AlpineBits 2018-10 FreeRooms, plus OTA restrictions): the rooms
a hotel holds for us and its sales restrictions, from a channel manager (HR-2, IN-2).

``AvailStatusMessages/@HotelCode`` is our hotel id. Each ``AvailStatusMessage`` names a room
type (``StatusApplicationControl/@InvTypeCode``) and the nights ``@Start``..``@End`` (both
inclusive: they name nights), optionally only some weekdays (OTA's ``Mon Tue Weds Thur Fri
Sat Sun`` attributes, ``true`` for a chosen day), and sets any of:

- ``@BookingLimit`` (``BookingLimitMessageType="SetLimit"``, the default): the allotment,
  absolute, 0..999 (``service.set_allotment``, published as ``contracts.allotment_set``);
- ``RestrictionStatus @Status="Close"/"Open"`` with ``@Restriction="Master"`` (or none):
  stop-sell on / off; ``"Arrival"``: closed to arrival; ``"Departure"``: closed to departure;
  ``@MinAdvancedBookingOffset="P<n>D"``: release days n;
- ``LengthsOfStay/LengthOfStay @MinMaxMessageType="SetMinLOS" @Time=n`` (``TimeUnit="Day"``,
  the default): minimum stay n nights (0..30; 0 means none and is stored as 1);
  ``"RemoveMinLOS"``: back to one night.

A message's restrictions are one bulk edit through ``restrictions.set_restrictions``: audited
and published as ``contracts.restrictions_set``, which intake projects; what a message does
not mention keeps its value on each night. Messages apply in document order.

Refused with ``<Errors>`` (the whole request; nothing is written), because we cannot honour
them and quietly dropping them would sell what the hotel restricted: **SetMaxLOS** and other
``MinMaxMessageType`` values (we do not model a maximum stay, so intake could not enforce
it), ``MaxAdvancedBookingOffset``, other ``Restriction`` values (``NonGuarantee``, ...),
``LOS_Pattern``, distinct rooms (``@InvCode``), relative limits, ``UniqueID
Instance="CompleteSet"`` or an empty message (a full replace / reset: send deltas instead),
and restrictions with a ``@RatePlanCode`` when the room type has several rate plans (we keep
restrictions per room type, so they would hit the other plans too).

Answered as ``<Warnings>`` (read; nothing we sell depends on them): ``BookingThreshold`` and
other attributes or elements we do not use, ``RemoveMaxLOS`` (there is no maximum to remove),
and ``ArrivalDateBased="true"`` (stored as our minimum stay, which counts every night of a
stay: stricter than arrival-based, never looser).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from xml.etree.ElementTree import Element

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.grid import restrictions
from services.contracts.grid.restrictions import RestrictionsIn
from services.contracts.hotels import service
from services.contracts.hotels.schemas import AllotmentIn
from services.contracts.models import RoomType
from services.contracts.ota.xml import (
    AVAIL_RQ,
    RESPONSES,
    Checker,
    OtaError,
    OtaRefused,
    OtaResult,
    child,
    children,
    expect_root,
    hotel_file_of,
    local,
    room_type_named,
)
from shared.dates import nights_between
from shared.web import readable_errors

DOW = ("Mon", "Tue", "Weds", "Thur", "Fri", "Sat", "Sun")  # OTA's spelling; index = weekday()
FLAGS = {"Master": "stop_sell", "Arrival": "closed_to_arrival", "Departure": "closed_to_departure"}
USED_ATTRIBUTES = {"BookingLimit", "BookingLimitMessageType"}
USED_ELEMENTS = {"StatusApplicationControl", "RestrictionStatus", "LengthsOfStay"}
OFFSET_DAYS = re.compile(r"P(\d{1,3})D")
MAX_MIN_STAY = 30  # RestrictionsIn's bound


@dataclass
class AvailChange:
    """What one AvailStatusMessage sets, checked and ready to apply."""

    allotments: list[AllotmentIn] = field(default_factory=list)
    restrictions: RestrictionsIn | None = None


def _put(check: Checker, where: str, changes: dict[str, Any], name: str, value: Any) -> None:
    # The same field twice with different values in one message is a contradiction.
    if name in changes and changes[name] != value:
        check.fail(where, f"{name.replace('_', ' ')} is given twice with different values")
    changes[name] = value


def _weekdays(check: Checker, where: str, control: Element) -> set[int]:
    """The weekdays OTA's DOW attributes choose (a day not given is not chosen); an empty set
    when none is given, which means every day."""
    given = {day: value.lower() for day, name in enumerate(DOW) if (value := control.get(name))}
    chosen = {day for day, value in given.items() if value in ("true", "1")}
    for day, value in given.items():
        if value not in ("true", "1", "false", "0"):
            check.fail(where, f"{DOW[day]}={value!r} is not true or false")
    if given and not chosen:
        check.fail(where, "the weekday attributes (Mon..Sun) choose no day")
    return chosen


def _runs(first: date, last: date, weekdays: set[int]) -> list[tuple[date, date]]:
    """The chosen nights as runs of consecutive nights (an allotment is set per range)."""
    runs: list[tuple[date, date]] = []
    for night in nights_between(first, last):
        if weekdays and night.weekday() not in weekdays:
            continue
        if runs and runs[-1][1] == night - timedelta(days=1):
            runs[-1] = (runs[-1][0], night)
        else:
            runs.append((night, night))
    return runs


def _whole(text: str) -> int | None:
    """A small whole number written in ASCII digits ("²" or a thousand digits is none)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _restriction_status(
    check: Checker, where: str, element: Element, changes: dict[str, Any]
) -> None:
    if element.get("MaxAdvancedBookingOffset"):
        text = "MaxAdvancedBookingOffset (a booking window) is not modelled and cannot be enforced"
        check.fail(where, text, type_="2")
    offset = element.get("MinAdvancedBookingOffset")
    if offset is not None:
        match = OFFSET_DAYS.fullmatch(offset)
        if match is None or int(match[1]) > 365:
            check.fail(where, f"MinAdvancedBookingOffset {offset!r} is not P<days>D, 0..365 days")
        else:
            _put(check, where, changes, "release_days", int(match[1]))
    kind, status = element.get("Restriction", "Master"), element.get("Status")
    if status is None:
        if offset is None:
            check.fail(
                where, "RestrictionStatus needs Status Open or Close", type_="10", code="321"
            )
    elif kind not in FLAGS:
        text = f"Restriction {kind!r} is not supported (Master, Arrival or Departure)"
        check.fail(where, text, type_="2")
    elif status not in ("Open", "Close"):
        check.fail(where, f"RestrictionStatus Status {status!r} is not Open or Close")
    else:
        _put(check, where, changes, FLAGS[kind], status == "Close")


def _length_of_stay(check: Checker, where: str, element: Element, changes: dict[str, Any]) -> None:
    kind = element.get("MinMaxMessageType")
    if len(element):
        check.fail(where, "LOS_Pattern is not supported", type_="2")
    elif kind == "RemoveMinLOS":
        _put(check, where, changes, "min_stay", 1)
    elif kind == "RemoveMaxLOS":
        check.warnings.append(f"{where}: RemoveMaxLOS: there is no maximum stay to remove")
    elif kind == "SetMaxLOS":
        text = "SetMaxLOS: a maximum stay is not modelled and could not be enforced; leave it out"
        check.fail(where, text, type_="2")
    elif kind != "SetMinLOS":
        text = f"MinMaxMessageType {kind!r} is not supported (SetMinLOS or RemoveMinLOS)"
        check.fail(where, text, type_="2")
    elif element.get("TimeUnit", "Day") != "Day":
        check.fail(where, f"SetMinLOS TimeUnit {element.get('TimeUnit')!r} is not Day")
    elif (days := _whole(time := element.get("Time", ""))) is None or days > MAX_MIN_STAY:
        check.fail(where, f"SetMinLOS Time {time[:20]!r} is not 0..{MAX_MIN_STAY} nights")
    else:
        _put(check, where, changes, "min_stay", max(days, 1))


def _restriction_changes(check: Checker, where: str, message: Element) -> dict[str, Any]:
    """The restriction fields the message sets (``RestrictionsIn`` names)."""
    changes: dict[str, Any] = {}
    for element in children(message, "RestrictionStatus"):
        _restriction_status(check, where, element, changes)
    for holder in children(message, "LengthsOfStay"):
        if holder.get("ArrivalDateBased", "").lower() in ("true", "1"):
            text = "ArrivalDateBased minimum stay is stored as ours, which counts every night"
            check.warnings.append(f"{where}: {text} of a stay (stricter)")
        for element in holder:
            if local(element.tag) == "LengthOfStay":
                _length_of_stay(check, where, element, changes)
            else:
                check.fail(where, f"{local(element.tag)} is not supported", type_="2")
    return changes


def _booking_limit(check: Checker, where: str, message: Element) -> int | None:
    limit = message.get("BookingLimit")
    if limit is None:
        return None
    if message.get("BookingLimitMessageType", "SetLimit") != "SetLimit":
        check.fail(where, "only BookingLimitMessageType SetLimit is supported", type_="2")
    rooms = _whole(limit)
    if rooms is None or rooms > 999:
        check.fail(where, f"BookingLimit {limit[:20]!r} is not 0..999")
        return None
    return rooms


def _check_plan(
    file: service.HotelFile,
    check: Checker,
    where: str,
    room_type: RoomType,
    code: str,
    *,
    restricts: bool,
) -> None:
    """``@RatePlanCode`` must name one of the room type's plans. Allotments and restrictions
    are kept per room type, so a restriction may name a plan only when it is the only one."""
    plans = sorted(p.name for p in file.rate_plans if p.room_type_id == room_type.room_type_id)
    if code not in plans:
        check.fail(where, f"{room_type.name} has no rate plan {code!r}", code="249")
    elif restricts and len(plans) > 1:
        others = ", ".join(repr(p) for p in plans if p != code)
        text = (
            f"restrictions are kept per room type, so RatePlanCode {code!r} would also"
            f" restrict {others}; send them without RatePlanCode"
        )
        check.fail(where, text, type_="2", code="249")


def _warn_unused(check: Checker, where: str, message: Element) -> None:
    unused = [f"{k}={v}" for k, v in message.attrib.items() if k not in USED_ATTRIBUTES]
    unused += [local(c.tag) for c in message if local(c.tag) not in USED_ELEMENTS]
    if unused:
        check.warnings.append(f"{where}: not stored: {'; '.join(unused)}")


def _build(
    check: Checker,
    where: str,
    room_type: RoomType,
    nights: tuple[date, date],
    weekdays: set[int],
    limit: int | None,
    changes: dict[str, Any],
) -> AvailChange | None:
    first, last = nights
    runs = _runs(first, last, weekdays)
    if not runs:
        check.fail(where, "no night from Start to End falls on the chosen weekdays", code="15")
        return None
    key = room_type.room_type_id
    change = AvailChange()
    if limit is not None:
        try:
            change.allotments = [
                AllotmentIn(room_type_id=key, first_night=a, last_night=b, rooms=limit)
                for a, b in runs
            ]
        except ValidationError as exc:  # the checks above mirror its bounds; kept as a net
            check.fail(where, readable_errors(exc))
            return None
    if changes:
        try:
            change.restrictions = RestrictionsIn(
                room_type_id=key, first_night=first, last_night=last, weekdays=weekdays, **changes
            )
        except ValidationError as exc:  # the checks above mirror its bounds; kept as a net
            check.fail(where, readable_errors(exc))
            return None
    return change


def _message(
    file: service.HotelFile, check: Checker, where: str, message: Element
) -> AvailChange | None:
    """Check one AvailStatusMessage; None when it has errors (recorded) or sets nothing."""
    errors_before = len(check.errors)
    control = child(message, "StatusApplicationControl")
    if control is None:
        check.fail(where, "empty message (a reset) is not supported; send deltas", type_="2")
        return None
    if control.get("InvCode"):
        check.fail(where, "distinct rooms (InvCode) are not supported", type_="2")
    room_type = room_type_named(file, check, where, control.get("InvTypeCode"))
    nights = check.nights(where, control)
    weekdays = _weekdays(check, where, control)
    limit = _booking_limit(check, where, message)
    changes = _restriction_changes(check, where, message)
    if room_type is not None and control.get("RatePlanCode"):
        plan = control.get("RatePlanCode", "")
        _check_plan(file, check, where, room_type, plan, restricts=bool(changes))
    _warn_unused(check, where, message)
    sets_something = message.get("BookingLimit") is not None or any(
        child(message, name) is not None for name in ("RestrictionStatus", "LengthsOfStay")
    )
    if not sets_something:
        text = "nothing to set: give BookingLimit, RestrictionStatus or LengthsOfStay"
        check.fail(where, text, type_="10", code="321")
    if len(check.errors) > errors_before or room_type is None or nights is None:
        return None
    return _build(check, where, room_type, nights, weekdays, limit, changes)


async def hotel_avail_notif(
    session: AsyncSession,
    *,
    actor: service.Actor,
    root: Element,
    allowed: frozenset[uuid.UUID] | None = None,
) -> OtaResult:
    """Apply an OTA_HotelAvailNotifRQ all or nothing (see the module's docs); ``allowed`` is
    the sender's hotels (None = any)."""
    expect_root(root, AVAIL_RQ)
    unique = child(root, "UniqueID")
    if unique is not None and unique.get("Instance") == "CompleteSet":
        text = "UniqueID Instance=CompleteSet (replace all) is not supported; send deltas"
        raise OtaRefused([OtaError("2", "450", text)])
    holder = child(root, "AvailStatusMessages")
    file = await hotel_file_of(session, holder, allowed)
    assert holder is not None  # hotel_file_of refuses a message without it
    messages = list(children(holder, "AvailStatusMessage"))
    if not messages:
        raise OtaRefused([OtaError("10", "321", "AvailStatusMessages: no AvailStatusMessage")])
    check = Checker()
    changes = [
        _message(file, check, f"AvailStatusMessage {n}", m) for n, m in enumerate(messages, 1)
    ]
    if check.errors:
        raise OtaRefused(check.errors)
    applied, hotel_id = 0, file.hotel.hotel_id
    for change in (c for c in changes if c is not None):
        for allotment in change.allotments:
            await service.set_allotment(session, actor=actor, data=allotment, hotel_id=hotel_id)
        if change.restrictions is not None:
            await restrictions.set_restrictions(
                session, actor=actor, data=change.restrictions, hotel_id=hotel_id
            )
        applied += len(change.allotments) + (change.restrictions is not None)
    return OtaResult(RESPONSES[AVAIL_RQ], applied=applied, warnings=check.warnings)
