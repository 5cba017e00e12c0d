"""Which services' queues receive each event. The relay reads this; so does the README."""

from __future__ import annotations

SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "contracts.hotel_published": ("intake", "confirmation", "payments"),
    "contracts.allotment_set": ("intake",),
    "contracts.rates_published": ("intake",),
    "contracts.recommendation_approved": ("intake",),
    "contracts.conditions_published": ("intake",),
    "contracts.restrictions_set": ("intake",),
    # HR-3 for intake; the payment arrangement decides an order sheet's prices (confirmation).
    "contracts.contract_effective": ("intake", "confirmation", "noshow", "payments"),
    # SL-2: handle time (metrics); NS-1: the no-show desk's read model of bookings.
    # PAY-1: a prepaid booking opens its collect-on-behalf slip (payments).
    "intake.booking_placed": ("confirmation", "contracts", "metrics", "noshow", "payments"),
    # IN-5 / CF-1: changes reach the hotel through the confirmation desk; HR-11: the ranking.
    "intake.booking_modified": ("confirmation", "contracts", "noshow", "payments"),
    "intake.booking_cancelled": ("confirmation", "contracts", "noshow", "payments"),
    # IN-7: published for later consumers (members for complaints, metrics for SL); nobody
    # subscribes yet, so the relay marks it relayed without enqueuing. Listed so it is known.
    "intake.memo_raised": (),
    # CF-3: the night's status goes full (contracts); the booking goes full (intake).
    "confirmation.full_house": ("contracts", "intake", "metrics"),
    # CF-4: the agent sees it confirmed; NS-1 lists only confirmed stays.
    "confirmation.booking_confirmed": ("intake", "metrics", "noshow"),
    # SL-3 / SL-6: the confirmation desk's tasks as the metrics service projects them.
    "confirmation.order_sent": ("metrics",),
    "confirmation.task_opened": ("metrics",),
    "confirmation.receipt_checked": ("metrics",),
    "confirmation.task_closed": ("metrics",),  # nothing to send: no longer unsent (issue 15)
    # NS-1: the no-show desk keeps bookings and contract terms as read models (above); SL-4:
    # its worklist's clock reaches metrics.
    "noshow.case_opened": ("metrics",),
    "noshow.case_finished": ("metrics",),
    # Issue 16: the stay's outcome on the booking (intake); PAY-4: the hotel side (payments).
    "noshow.stay_completed": ("intake", "confirmation", "payments"),  # NS-3: the thank-you
    "noshow.no_show_recorded": ("intake", "payments"),
    "members.complaint_filed": ("contracts",),
    "members.complaint_closed": ("contracts",),
    "members.member_updated": ("intake",),  # IN-8: the caller panel's member and complaint
}


def subscribers(event_name: str) -> tuple[str, ...]:
    return SUBSCRIPTIONS.get(event_name, ())
