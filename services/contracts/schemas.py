"""Input shapes of the hotel-resources forms and API.

Prices arrive as integer minor units in the JSON API (``net_minor``) and as decimal strings in
the HTML forms ("688.00"), which the endpoint converts with ``Money.parse``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationInfo, field_validator

from shared.dates import check_not_past, check_range

MAX_RANGE_NIGHTS = 400


class HotelIn(BaseModel):
    model_config = ConfigDict(validate_default=True, str_strip_whitespace=True)

    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=80)
    district: str = Field("", max_length=80)
    address: str = Field("", max_length=300)
    star_grade: int = Field(ge=1, le=5)
    currency: str = Field("CNY", pattern=r"^[A-Z]{3}$")
    confirm_channel: Literal["fax", "email"]
    fax: str = Field("", max_length=40)
    email: EmailStr | Literal[""] = ""
    phone: str = Field("", max_length=40)

    @field_validator("fax")
    @classmethod
    def fax_when_faxed(cls, fax: str, info: ValidationInfo) -> str:
        if info.data.get("confirm_channel") == "fax" and not fax.strip():
            raise ValueError("a hotel confirmed by fax needs a fax number")
        return fax

    @field_validator("email")
    @classmethod
    def email_when_emailed(cls, email: str, info: ValidationInfo) -> str:
        if info.data.get("confirm_channel") == "email" and not email:
            raise ValueError("a hotel confirmed by email needs an email address")
        return email


class RoomTypeIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)


class RatePlanIn(BaseModel):
    room_type_id: uuid.UUID
    name: str = Field(min_length=1, max_length=120)
    payment_mode: Literal["pay_at_hotel", "prepaid", "corporate_monthly"]


class _NightRange(BaseModel):
    first_night: date
    last_night: date

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


class AllotmentIn(_NightRange):
    room_type_id: uuid.UUID
    rooms: int = Field(ge=0, le=999)


class RatesIn(_NightRange):
    rate_plan_id: uuid.UUID
    net_minor: int = Field(ge=0)
    sell_minor: int = Field(ge=0)
