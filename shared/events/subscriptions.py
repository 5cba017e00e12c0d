"""Which services' queues receive each event. The relay reads this; so does the README."""

from __future__ import annotations

SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    # CS-3: members keeps the hotels a complaint can name.
    "contracts.hotel_published": ("intake", "confirmation", "members", "payments"),
    "contracts.allotment_set": ("intake",),
    "contracts.rates_published": ("intake",),
    "contracts.rates_imported": ("intake",),  # issue 19: a sheet's nights, a hotel at a time
    "contracts.recommendation_approved": ("intake",),
    "contracts.conditions_published": ("intake",),
    "contracts.restrictions_set": ("intake",),
    # HR-3 for intake; the payment arrangement decides an order sheet's prices (confirmation).
    "contracts.contract_effective": ("intake", "confirmation", "noshow", "payments"),
    # SL-2: handle time (metrics); NS-1: the no-show desk's read model of bookings.
    # PAY-1: a prepaid booking opens its collect-on-behalf slip (payments).
    "intake.booking_placed": (
        "confirmation",
        "contracts",
        "members",  # CS-1: the member's bookings on the inquiry screen
        "metrics",
        "noshow",
        "payments",
    ),
    # IN-5 / CF-1: changes reach the hotel through the confirmation desk; HR-11: the ranking.
    "intake.booking_modified": ("confirmation", "contracts", "members", "noshow", "payments"),
    # CS-5: a cancelled (refunded) stay's points are reversed (members).
    "intake.booking_cancelled": ("confirmation", "contracts", "members", "noshow", "payments"),
    # IN-7: published for later consumers (members for complaints, metrics for SL); nobody
    # subscribes yet, so the relay marks it relayed without enqueuing. Listed so it is known.
    "intake.memo_raised": (),
    # CS-3: a department's answer to a complaint's form is its findings (members).
    "intake.memo_answered": ("members",),
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
    # CS-5: points come from actual stays (members).
    "noshow.stay_completed": ("intake", "confirmation", "members", "payments"),  # NS-3: thanks
    "noshow.no_show_recorded": ("intake", "members", "payments"),
    "members.complaint_filed": ("contracts",),  # HR-12: complaints about a hotel
    # CS-3 / SL-5: the complaint's form in the department's list (intake) and its clocks.
    "members.complaint_routed": ("intake", "metrics"),
    "members.complaint_answered": ("metrics",),
    "members.complaint_closed": ("contracts",),
    "members.member_updated": ("intake",),  # IN-8: the caller panel's member and complaint
}


def subscribers(event_name: str) -> tuple[str, ...]:
    return SUBSCRIPTIONS.get(event_name, ())
