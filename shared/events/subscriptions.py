"""Which services' queues receive each event. The relay reads this; so does the README."""

from __future__ import annotations

SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "contracts.hotel_published": ("intake", "confirmation"),
    "contracts.allotment_set": ("intake",),
    "contracts.rates_published": ("intake",),
    "contracts.recommendation_approved": ("intake",),
    "contracts.conditions_published": ("intake",),
    "contracts.restrictions_set": ("intake",),
    "intake.booking_placed": ("confirmation", "contracts"),
}


def subscribers(event_name: str) -> tuple[str, ...]:
    return SUBSCRIPTIONS.get(event_name, ())
