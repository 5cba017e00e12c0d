"""Events the contracts service subscribes to."""

from services.contracts.rankings import on_booking_placed
from shared.events.consumer import Handler

HANDLERS: dict[str, Handler] = {
    # HR-11: contracts keeps its own record of sold nights for the monthly ranking.
    "intake.booking_placed": on_booking_placed,
}
