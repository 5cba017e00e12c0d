"""Which services' queues receive each event. The relay reads this; so does the README."""

from __future__ import annotations

SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "contracts.hotel_published": ("intake", "confirmation"),
    "contracts.allotment_set": ("intake",),
    "contracts.rates_published": ("intake",),
    "contracts.recommendation_approved": ("intake",),
    "contracts.conditions_published": ("intake",),
    "contracts.restrictions_set": ("intake",),
    "contracts.contract_effective": ("intake",),
    "intake.booking_placed": ("confirmation", "contracts"),
    # IN-5 / CF-1: changes reach the hotel through the confirmation desk; HR-11: the ranking.
    "intake.booking_modified": ("confirmation", "contracts"),
    "intake.booking_cancelled": ("confirmation", "contracts"),
    # IN-7: published for later consumers (members for complaints, metrics for SL); nobody
    # subscribes yet, so the relay marks it relayed without enqueuing. Listed so it is known.
    "intake.memo_raised": (),
    "confirmation.full_house": ("contracts",),
    "members.complaint_filed": ("contracts",),
    "members.complaint_closed": ("contracts",),
    "members.member_updated": ("intake",),  # IN-8: the caller panel's member and complaint
}


def subscribers(event_name: str) -> tuple[str, ...]:
    return SUBSCRIPTIONS.get(event_name, ())
