"""Input and output shapes of the intake API.

Parsing (types, lengths) happens here; the rules of a booking (dates, room counts, known
hotel, IN-4) are checked in ``service.py`` so every caller gets them, not only HTTP.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.intake.bounds import MAX_GUESTS, GuestName, Rooms
from shared.events.intake import BookingFields
from shared.i18n import N_
from shared.limits import BusinessDate, BusinessDateTime, MinorUnits, Uuid

ConfirmChannel = Literal["fax", "phone", "sms", "email"]
BookingSource = Literal["phone", "online"]
CONFIRM_CHANNELS: tuple[str, ...] = ("fax", "phone", "sms", "email")
# The channels as the pages name them (translated where shown, ``{{ _(title) }}``).
CHANNEL_TITLES: dict[str, str] = {
    "fax": N_("fax"),
    "phone": N_("phone"),
    "sms": N_("sms"),
    "email": N_("email"),
}
# IN-4: pay at hotel / prepaid collect-on-behalf / corporate monthly. The rate plan fixes
# which one a booking uses (its price terms differ, PAY-4).
PaymentMode = Literal["pay_at_hotel", "prepaid", "corporate_monthly"]
PAYMENT_MODES: dict[str, str] = {
    "pay_at_hotel": N_("Pay at hotel"),
    "prepaid": N_("Prepaid (collect on behalf)"),
    "corporate_monthly": N_("Corporate monthly"),
}


class BookingRequest(BaseModel):
    """What an agent submits to place a booking (IN-4)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    hotel_id: Uuid
    rate_plan_id: Uuid
    check_in: BusinessDate
    check_out: BusinessDate
    rooms: Rooms
    guest_names: list[GuestName] = Field(max_length=MAX_GUESTS)
    booker_name: str = Field(max_length=120)
    booker_phone: str = Field(max_length=40)
    booker_company: str = Field("", max_length=200)
    member_card: str = Field("", max_length=40)
    payment_mode: PaymentMode
    confirm_channel: ConfirmChannel
    # IN-4 / CF-6: the fax number, email address or phone the confirmation goes to; for
    # phone and SMS a blank one means the booker's phone (booking_fields.py).
    confirm_contact: str = Field("", max_length=200)
    reply_at_once: bool = False  # CF-6: the customer wants the answer within the hour
    special_requests: str = Field("", max_length=2000)
    arrival_time: str = Field("", max_length=40)
    idempotency_key: str = Field(min_length=1, max_length=100)
    # IN-1: the booking form's opaque id; its server-side record holds when it was opened and
    # for which call (handle_time.py). ``call_id``, if sent, must be the form's call;
    # ``call_answered_at`` is never trusted: refused without a form, not read with one.
    form_id: str | None = Field(None, max_length=64)
    call_id: str | None = Field(None, max_length=64)
    call_answered_at: BusinessDateTime | None = None
    # IN-11: a per-night sell price below the published one, with why; the pricing desk
    # approves it before the booking goes to the hotel (special_price.py).
    special_sell_minor: MinorUnits | None = None
    special_price_reason: str = Field("", max_length=500)
    # CF-5: where the booking came from. The web site sends "online" (the confirmation desk
    # calls the guest to verify first); the agents' form always sends "phone".
    source: BookingSource = "phone"


class NightOffer(BaseModel):
    night: date
    sell_minor: int | None
    remaining: int | None


class Offer(BaseModel):
    """One sellable room type and rate plan over a stay (IN-2)."""

    hotel_id: uuid.UUID
    hotel_name: str
    hotel_name_zh: str
    district: str
    star_grade: int
    room_type_id: uuid.UUID
    room_type_name: str
    rate_plan_id: uuid.UUID
    rate_plan_name: str
    payment_mode: str
    currency: str
    nights: list[NightOffer]
    total_sell_minor: int | None
    min_remaining: int
    can_sell: bool
    reason: str = ""
    recommended: bool = False  # HR-6: the director approved it for the stay's month
    on_request: bool = False  # HR-2: some night is on request; booking it asks the hotel
    conditions: list[str] = []  # HR-8: thresholds and commission tiers the hotel set on us


class SearchResult(BaseModel):
    city: str
    check_in: date
    check_out: date
    rooms: int
    offers: list[Offer]

    @property
    def sellable(self) -> list[Offer]:
        return [offer for offer in self.offers if offer.can_sell]


class BookedNightView(BaseModel):
    night: date
    net_minor: int
    sell_minor: int


class SpecialPriceView(BaseModel):
    """A special price asked for a booking and what the pricing desk decided (IN-11)."""

    special_sell_minor: int
    reason: str
    requested_by: str
    requested_at: datetime
    state: str  # pending, approved, rejected
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str


class BookingView(BookingFields):
    """A placed booking as the API returns it; per-night prices are frozen (IN-4)."""

    status: str
    booker_company: str
    member_card: str
    arrival_time: str
    idempotency_key: str
    handling_started_at: datetime | None
    committed_at: datetime
    nights: list[BookedNightView]
    version: int = 1  # IN-5: bumped by each change; a change names the version it saw
    confirm_contact: str = ""
    reply_at_once: bool = False
    on_request: bool = False  # HR-2: no allotment taken; the hotel is asked
    call_id: str | None = None
    handling_source: str | None = None  # IN-1: "call" or "form"
    handle_seconds: int | None = None
    special_price: SpecialPriceView | None = None  # IN-11
    source: str = "phone"  # CF-5: "phone" or "online"
    remarks: str = ""  # CF-3: a full house appends the hotel's reason
    # CF-4: the hotel's number for the version it confirmed (confirmation_outcomes.py).
    hotel_confirmation_no: str | None = None
    hotel_confirmed_at: datetime | None = None
    hotel_confirmed_version: int | None = None
    hotel_cancellation_no: str | None = None
    hotel_cancelled_at: datetime | None = None


class BookingFormRequest(BaseModel):
    """Open a booking form (IN-1) for an API client: the telephony's call, if any, and when it
    says the call was answered (bounded by the server's clock, handle_time.py)."""

    call_id: str | None = Field(None, min_length=1, max_length=64)
    call_answered_at: BusinessDateTime | None = None


class BookingFormView(BaseModel):
    """A booking form's record: send ``form_id`` with the booking."""

    form_id: uuid.UUID
    opened_at: datetime
    call_id: str | None
    handling_started_at: datetime  # what the handle time will run from
    handling_source: str  # "call" or "form"


class PlacedBooking(BaseModel):
    booking: BookingView
    created: bool  # False when the idempotency key named an existing booking
