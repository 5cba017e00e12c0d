"""The IN-4 fields of a booking that need more than parsing: guests, the booker, the member
card, the arrival time and where the customer's confirmation goes (CF-6).

Parsing (types, lengths, the channel and payment-mode lists) is in ``schemas.py``; these rules
raise ``InvalidInput`` naming the field so the API answers 422 and the form shows the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.intake.booking.schemas import BookingRequest
from shared.errors import InvalidInput
from shared.i18n import _

_PHONE = re.compile(r"\+?[\d\s()-]+")
# Deliberately loose: the desk types what the customer spells out; the mail server judges
# the rest. It must at least have a name, an @ and a dotted domain.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_ARRIVAL = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_MEMBER_CARD = re.compile(r"[A-Za-z0-9-]{4,40}")


@dataclass(frozen=True, slots=True)
class CheckedDetails:
    guest_names: list[str]
    confirm_contact: str


def is_phone(text: str) -> bool:
    """7 to 20 digits, with the spaces, brackets, dashes and leading + people type."""
    digits = sum(ch.isdigit() for ch in text)
    return bool(_PHONE.fullmatch(text)) and 7 <= digits <= 20


def checked(request: BookingRequest) -> CheckedDetails:
    """Every IN-4 rule of form that needs no database; the first broken one is raised."""
    guest_names = [name.strip() for name in request.guest_names if name.strip()]
    if not guest_names:
        raise InvalidInput(_("Enter at least one guest name."), field="guest_names")
    if not request.booker_name:
        raise InvalidInput(_("Enter the booker's name."), field="booker_name")
    if not is_phone(request.booker_phone):
        raise InvalidInput(
            _("Enter the booker's phone number (7 to 20 digits)."), field="booker_phone"
        )
    if request.member_card and not _MEMBER_CARD.fullmatch(request.member_card):
        raise InvalidInput(
            _("A member card number is 4 to 40 letters, digits or dashes."), field="member_card"
        )
    if request.arrival_time and not _ARRIVAL.fullmatch(request.arrival_time):
        # The hotel's front desk reads it off the order sheet: one unambiguous form.
        raise InvalidInput(_("Enter the arrival time as HH:MM, e.g. 18:30."), field="arrival_time")
    return CheckedDetails(guest_names=guest_names, confirm_contact=confirmation_contact(request))


def confirmation_contact(request: BookingRequest) -> str:
    """Where the customer's confirmation goes (CF-6): a fax number for fax, an address for
    email, a phone for phone or SMS (the booker's phone when left blank)."""
    contact, channel = request.confirm_contact.strip(), request.confirm_channel
    if channel == "email":
        if not _EMAIL.fullmatch(contact):
            raise InvalidInput(
                _("Enter the customer's email address for an email confirmation."),
                field="confirm_contact",
            )
        return contact
    if channel == "fax" and not contact:
        raise InvalidInput(
            _("Enter the customer's fax number for a fax confirmation."), field="confirm_contact"
        )
    contact = contact or request.booker_phone
    if not is_phone(contact):
        raise InvalidInput(
            _("Enter the fax number for the confirmation (7 to 20 digits).")
            if channel == "fax"
            else _("Enter the phone number for the confirmation (7 to 20 digits)."),
            field="confirm_contact",
        )
    return contact
