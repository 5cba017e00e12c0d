"""The reading and answering kit shared by the OTA message handlers (``ota``, ``ota_avail``).

Parsing is done by ``defusedxml`` with DTDs forbidden: no entity expansion (billion laughs),
no external entities or network access (XXE). Namespaces are not checked, only local names.
Error ``Type`` values are OTA EWT codes (2 no implementation, 3 business rule, 4
authentication, 6 authorization, 10 required field missing, 12 processing exception, 13
application error; warnings use 11 advisory) and ``Code`` values OTA ERR codes (15 invalid
date, 249 invalid rate code, 320 invalid value, 321 required field missing, 392 invalid hotel
code, 402 invalid room type, 450 unable to process, 497 authorization error).
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

from services.contracts.hotels import service
from services.contracts.hotels.schemas import MAX_RANGE_NIGHTS
from services.contracts.models import RoomType
from shared.dates import check_not_past, check_range
from shared.errors import DomainError, NotFound
from shared.limits import check_date

OTA_NS = "http://www.opentravel.org/OTA/2003/05"
ROOMLINE_NS = "urn:roomline:ota"
MAX_BYTES = 5 * 1024 * 1024
AVAIL_RQ, RATE_PLAN_RQ = "OTA_HotelAvailNotifRQ", "OTA_HotelRatePlanNotifRQ"
RESPONSES = {AVAIL_RQ: "OTA_HotelAvailNotifRS", RATE_PLAN_RQ: "OTA_HotelRatePlanNotifRS"}


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


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if local(child.tag) == name)


def child(element: Element, name: str) -> Element | None:
    return next(children(element, name), None)


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
class Checker:
    """Collects errors and warnings while a message is read, each named by where it is."""

    errors: list[OtaError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def fail(self, where: str, text: str, *, type_: str = "13", code: str = "320") -> None:
        self.errors.append(OtaError(type_, code, f"{where}: {text}"))

    def nights(self, where: str, element: Element) -> tuple[date, date] | None:
        """``@Start``..``@End``, both inclusive (they name nights), today or later and inside
        the business's date window (``shared.limits``: 9999-12-31 is an error, EWT 3 / ERR 15,
        never an overflow)."""
        start, end = element.get("Start"), element.get("End")
        if not start or not end:
            self.fail(where, "Start and End are required", type_="10", code="321")
            return None
        try:
            first, last = _day(start, "Start"), _day(end, "End")
            if last < first:
                raise ValueError(f"End {end} is before Start {start}")
            check_not_past(first, "Start")
            check_range(first, last, max_nights=MAX_RANGE_NIGHTS, inclusive=True)
        except ValueError as exc:
            self.fail(where, str(exc), type_="3", code="15")
            return None
        return first, last


def _day(text: str, what: str) -> date:
    """``YYYY-MM-DD`` inside the business's date window; ``ValueError`` naming ``what``."""
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise ValueError(f"{what} {text[:20]!r} is not a date (YYYY-MM-DD)")
    try:
        return check_date(day)
    except ValueError as exc:
        raise ValueError(f"{what} {text}: {exc}") from exc


async def hotel_file_of(
    session: AsyncSession, holder: Element | None, allowed: frozenset[uuid.UUID] | None
) -> service.HotelFile:
    """The hotel named by ``holder/@HotelCode`` (our hotel id). ``allowed`` is the sender's
    hotels (a channel manager's credential; None = any): another hotel is refused before it
    is looked up, so a credential cannot probe which hotel ids exist."""
    code = holder.get("HotelCode", "") if holder is not None else ""
    if not code:
        raise OtaRefused([OtaError("10", "321", "HotelCode (our hotel id) is required")])
    unknown = OtaRefused([OtaError("13", "392", f"no hotel with HotelCode {code}")])
    try:
        hotel_id = uuid.UUID(code)
    except ValueError as exc:
        raise unknown from exc
    if allowed is not None and hotel_id not in allowed:
        text = f"this channel-manager credential may not update HotelCode {code}"
        raise OtaRefused([OtaError("6", "497", text)])
    try:
        return await service.hotel_file(session, hotel_id=hotel_id)
    except NotFound as exc:
        raise unknown from exc


def room_type_named(
    file: service.HotelFile, check: Checker, where: str, name: str | None
) -> RoomType | None:
    if not name:
        check.fail(where, "InvTypeCode (room type name) is required", type_="10", code="321")
        return None
    room_type = next((t for t in file.room_types if t.name == name), None)
    if room_type is None:
        check.fail(where, f"{file.hotel.name_en} has no room type {name!r}", code="402")
    return room_type


def expect_root(root: Element, name: str) -> None:
    if local(root.tag) != name:
        text = f"expected {name}, got {local(root.tag)}"
        raise OtaRefused([OtaError("12", "450", text)])
