"""Events the metrics service subscribes to (the desk SLAs, SL-2 … SL-6)."""

from services.metrics import complaint_sla, desk_sla, noshow_sla
from shared.events.consumer import Handler

HANDLERS: dict[str, Handler] = {
    "confirmation.task_opened": desk_sla.on_task_opened,
    "confirmation.order_sent": desk_sla.on_order_sent,
    "confirmation.booking_confirmed": desk_sla.on_booking_confirmed,
    "confirmation.full_house": desk_sla.on_full_house,
    "confirmation.receipt_checked": desk_sla.on_receipt_checked,
    "confirmation.task_closed": desk_sla.on_task_closed,
    "intake.booking_placed": desk_sla.on_booking_placed,
    # SL-4 (issue 16)
    "noshow.case_opened": noshow_sla.on_case_opened,
    "noshow.case_finished": noshow_sla.on_case_finished,
    # SL-5 (issue 18)
    "members.complaint_routed": complaint_sla.on_complaint_routed,
    "members.complaint_answered": complaint_sla.on_complaint_answered,
}
