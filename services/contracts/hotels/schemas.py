"""Input and output shapes of the hotel-resources forms and API.

Prices: the JSON API takes integer minor units (``net_minor``, ``sell_minor``: fen for CNY);
the HTML form takes decimal strings as a person types them ("688.00") in the hotel's currency
(HR-14), which :class:`RatesForm` turns into minor units with ``parse_price``. Never floats.

Rules of form (past nights, reversed or over-long ranges, rooms out of 0..999, star grade out
of 1..5, a malformed currency) are checked here, so a bad request is a 422 naming the field
and reaches no service code. Business rules (HR-4: sell not below net) live in ``service``.

Bounds (issue 14, ``services.contracts.bounds``): nights lie in the business's date window
(``BusinessDate``: year 1 or 9999-12-31 is a 422, never an overflow), prices at most the money
ceiling (``MinorUnits``; a typed decimal through ``parse_price``), weekdays 0..6 and at most
seven, versions inside their Integer column, facilities at most 40 of 80 characters.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic.networks import validate_email
from pydantic_core import PydanticCustomError

from services.contracts.bounds import MAX_FACILITIES, FacilityName, Weekday, parse_price
from shared.dates import check_not_past, check_range, nights_between
from shared.i18n import N_
from shared.limits import BusinessDate, MinorUnits, Uuid, Version

MAX_RANGE_NIGHTS = 400
PaymentMode = Literal["pay_at_hotel", "prepaid", "corporate_monthly"]
HotelStatus = Literal["prospective", "active", "suspended"]

# What each field is called on the desk's forms, so an error names what the person sees
# (the label where a page has none to read: shared.field_errors).
FIELD_LABELS: dict[str, str] = {
    "name_zh": N_("Chinese name"),
    "name_en": N_("English name"),
    "city": N_("City"),
    "district": N_("District"),
    "address": N_("Address"),
    "star_grade": N_("Star grade"),
    "currency": N_("Currency"),
    "confirm_channel": N_("Confirmation by"),
    "fax": N_("Fax"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "latitude": N_("Latitude"),
    "longitude": N_("Longitude"),
    "facilities": N_("Facilities"),
    "name": N_("Name"),
    "payment_mode": N_("Payment mode"),
    "room_type_id": N_("Room type"),
    "rate_plan_id": N_("Rate plan"),
    "first_night": N_("First night"),
    "last_night": N_("Last night"),
    "rooms": N_("Rooms"),
    "net": N_("Net price"),
    "sell": N_("Sell price"),
    "net_minor": N_("Net price"),
    "sell_minor": N_("Sell price"),
    "status": N_("Status"),
}


class HotelIn(BaseModel):
    model_config = ConfigDict(validate_default=True, str_strip_whitespace=True)

    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=80)
    district: str = Field("", max_length=80)
    address: str = Field("", max_length=300)
    star_grade: int = Field(ge=1, le=5)
    # HR-13: a hotel members ask for but we have not signed is filed as prospective.
    status: Literal["prospective", "active"] = "active"
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    facilities: list[FacilityName] = Field(default_factory=list, max_length=MAX_FACILITIES)

    @field_validator("facilities", mode="before")
    @classmethod
    def facilities_from_text(cls, value: object) -> object:
        # The form sends one comma-separated line ("pool, gym, 会议室"); the API a list.
        if isinstance(value, str):
            return [part.strip() for part in re.split(r"[,，、]", value) if part.strip()]
        return value

    @field_validator("longitude")
    @classmethod
    def both_coordinates(cls, longitude: float | None, info: ValidationInfo) -> float | None:
        if (longitude is None) != (info.data.get("latitude") is None):
            raise ValueError(N_("give both latitude and longitude, or neither"))
        return longitude

    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$", max_length=3)
    # Declared before fax and email: their validators read it from ``info.data``.
    confirm_channel: Literal["fax", "email"]
    fax: str = Field("", max_length=40)
    email: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)

    @field_validator("fax")
    @classmethod
    def fax_when_faxed(cls, fax: str, info: ValidationInfo) -> str:
        # CF-1: the confirmation desk must have somewhere to send the order sheet.
        if info.data.get("confirm_channel") == "fax" and not fax:
            raise ValueError(N_("a hotel confirmed by fax needs a fax number"))
        return fax

    @field_validator("email")
    @classmethod
    def email_when_emailed(cls, email: str, info: ValidationInfo) -> str:
        if info.data.get("confirm_channel") == "email" and not email:
            raise ValueError(N_("a hotel confirmed by email needs an email address"))
        if email:
            try:
                email = validate_email(email)[1]
            except PydanticCustomError as exc:
                raise ValueError(f"{email!r} is not an email address") from exc
        return email


class HotelStatusIn(BaseModel):
    """Suspend a hotel (it stops being sellable, HR-10) or make it active again.

    Suspending archives the hotel with a written summary of why (HR-10), so the next person
    who thinks of signing it again reads what happened.
    """

    model_config = ConfigDict(str_strip_whitespace=True, validate_default=True)

    status: HotelStatus
    summary: str = Field("", max_length=4000)

    @field_validator("summary")
    @classmethod
    def summary_when_suspending(cls, summary: str, info: ValidationInfo) -> str:
        if info.data.get("status") == "suspended" and len(summary) < 10:
            # HR-10: a suspension is explained in writing.
            raise ValueError(N_("suspending a hotel needs a written summary (10+ characters)"))
        return summary


class RoomTypeIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)


class RatePlanIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    room_type_id: Uuid
    name: str = Field(min_length=1, max_length=120)
    payment_mode: PaymentMode


class NightRange(BaseModel):
    """An inclusive range of nights (a night is named by its date), today or later."""

    first_night: BusinessDate
    last_night: BusinessDate

    @field_validator("first_night")
    @classmethod
    def not_past(cls, day: date) -> date:
        return check_not_past(day, "first night")

    @field_validator("last_night")
    @classmethod
    def ordered(cls, last: date, info: ValidationInfo) -> date:
        if (first := info.data.get("first_night")) is not None:
            check_range(first, last, max_nights=MAX_RANGE_NIGHTS, inclusive=True)
        return last


class BulkRange(NightRange):
    """A bulk edit of the calendar (HR-2): the chosen weekdays of an inclusive range.

    ``grid_version`` is the hotel's grid version the editor saw; when given, a save made
    after someone else changed the grid is refused instead of overwriting their change.
    """

    # 0 = Monday .. 6 = Sunday; empty = all.
    weekdays: set[Weekday] = Field(default_factory=set, max_length=7)
    grid_version: Version | None = None

    def nights(self) -> list[date]:
        """The nights of the range that fall on a chosen weekday."""
        return [
            night
            for night in nights_between(self.first_night, self.last_night)
            if not self.weekdays or night.weekday() in self.weekdays
        ]


class AllotmentIn(BulkRange):
    room_type_id: Uuid
    rooms: int = Field(ge=0, le=999)


class RatesIn(BulkRange):
    rate_plan_id: Uuid
    net_minor: MinorUnits
    sell_minor: MinorUnits


class RatesForm(BulkRange):
    """The prices form: decimal strings in the hotel's currency, passed as validation context
    (``RatesForm.model_validate(form, context={"currency": "CNY"})``)."""

    rate_plan_id: Uuid
    net: MinorUnits
    sell: MinorUnits

    @field_validator("net", "sell", mode="before")
    @classmethod
    def decimal_to_minor(cls, typed: object, info: ValidationInfo) -> int:
        currency = (info.context or {}).get("currency", "CNY")
        return parse_price(str(typed), currency).amount_minor

    def to_input(self) -> RatesIn:
        return RatesIn(
            rate_plan_id=self.rate_plan_id,
            first_night=self.first_night,
            last_night=self.last_night,
            net_minor=self.net,
            sell_minor=self.sell,
            weekdays=self.weekdays,
            grid_version=self.grid_version,
        )


class RoomTypeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    room_type_id: uuid.UUID
    hotel_id: uuid.UUID
    name: str


class RatePlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    rate_plan_id: uuid.UUID
    hotel_id: uuid.UUID
    room_type_id: uuid.UUID
    name: str
    payment_mode: str


class HotelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    hotel_id: uuid.UUID
    name_zh: str
    name_en: str
    city: str
    district: str
    address: str
    star_grade: int
    currency: str
    confirm_channel: str
    fax: str
    email: str
    phone: str
    status: str
    latitude: float | None
    longitude: float | None
    facilities: list[str]
    grid_version: int  # send it back with a bulk edit to refuse overwriting a newer change
    created_at: datetime
    updated_at: datetime


class HotelFileOut(HotelOut):
    room_types: list[RoomTypeOut]
    rate_plans: list[RatePlanOut]


class HotelPageOut(BaseModel):
    hotels: list[HotelOut]
    total: int
    page: int
    page_size: int


class AllotmentOut(BaseModel):
    room_type_id: uuid.UUID
    first_night: date
    last_night: date
    rooms: int
    nights: int


class RatesOut(BaseModel):
    rate_plan_id: uuid.UUID
    first_night: date
    last_night: date
    net_minor: int
    sell_minor: int
    nights: int
