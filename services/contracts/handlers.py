"""Events the contracts service subscribes to."""

from services.contracts.grid.restrictions import on_full_house
from services.contracts.hotels.complaints import on_complaint_closed, on_complaint_filed
from services.contracts.reports import sales as sold_changes
from shared.events.consumer import Handler

HANDLERS: dict[str, Handler] = {
    # HR-11: contracts keeps its own record of sold nights for the monthly ranking.
    # IN-5: changes replace a booking's sold nights; each claims its booking version first,
    # so events handled out of order never bring back cancelled or shortened nights.
    "intake.booking_placed": sold_changes.on_booking_placed,
    "intake.booking_modified": sold_changes.on_booking_modified,
    "intake.booking_cancelled": sold_changes.on_booking_cancelled,
    # HR-12: complaints about our hotels, kept on the hotel's file.
    "members.complaint_filed": on_complaint_filed,
    "members.complaint_closed": on_complaint_closed,
    # CF-3: the hotel answered "full"; stop selling those nights at once.
    "confirmation.full_house": on_full_house,
}
