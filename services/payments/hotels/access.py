"""Who may call each hotels route (merged into ``services.payments.access``).

PAY-3, PAY-4, PAY-6: finance records deposits, chases and refunds paid; the collect-on-behalf
desk and team leads read the hotels' balances, aging and ledgers."""

from __future__ import annotations

from shared.access import RouteRoles
from shared.auth import Role

FINANCE = frozenset({Role.FINANCE})
READERS = frozenset({Role.FINANCE, Role.COLLECT_DESK, Role.TEAM_LEAD})

ROUTES: RouteRoles = {
    "GET /hotels": READERS,
    "GET /hotels/{hotel_id}": READERS,
    "POST /hotels/{hotel_id}/{action}": FINANCE,
    "GET /bookings/{booking_ref}": READERS,
    "POST /bookings/{booking_ref}/refunds": FINANCE,
}
