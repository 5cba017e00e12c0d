"""Who may call each intake (booking desk) route: the spec ``tests/shared/test_role_matrix.py``
holds the app to (see ``shared.access``). Rendered into docs/roles.md."""

from __future__ import annotations

from shared.access import KIT_ROUTES, RouteRoles
from shared.auth import Role

# IN-1 … IN-10: booking agents and their team leads.
DESK = frozenset({Role.AGENT, Role.TEAM_LEAD})
# IN-9: corporate accounts' negotiated terms are kept by team leads; agents read them.
LEADS = frozenset({Role.TEAM_LEAD})
# IN-12: each agent's record, for the team leads (and admins).
TEAM_RECORD = frozenset({Role.TEAM_LEAD, Role.ADMIN})
# IN-11: the pricing (hotel-resources) desk approves special prices agents ask for; inside,
# nobody approves their own request.
PRICING = frozenset({Role.HOTEL_RESOURCES, Role.RESOURCES_DIRECTOR})
# IN-7: internal memos: every desk a memo can be routed to, those who raise them (agents,
# team leads, the no-show desk) and the general manager; not admins. Inside, a memo is seen
# by its raiser, its department and those who see all, and each move has its own rule.
MEMOS = frozenset(Role) - {Role.ADMIN}
# Issue 15: the confirmation desk and customer service find a booking and read its page; they
# change nothing (the booking's POST routes stay DESK).
READERS = DESK | {Role.CONFIRMATION_DESK, Role.CUSTOMER_SERVICE}

ROUTE_ROLES: RouteRoles = {
    **KIT_ROUTES,
    # Search (IN-2, IN-3) and the caller panel (IN-8, IN-10)
    "GET /": DESK,
    "GET /search/results": DESK,
    "GET /api/search": DESK,
    "GET /api/alternatives": DESK,
    "GET /api/callers": DESK,
    # Bookings (IN-4) and their changes (IN-5); an API client opens a booking form first, so
    # the handle time runs from there (IN-1)
    "GET /book": DESK,
    "POST /bookings": DESK,
    "GET /bookings/{booking_ref}": READERS,
    "POST /api/booking-forms": DESK,
    "POST /api/bookings": DESK,
    "GET /api/bookings/{booking_ref}": DESK,
    "POST /bookings/{booking_ref}/modify": DESK,
    "POST /bookings/{booking_ref}/cancel/confirm": DESK,  # cancel asks first (issue 15)
    "POST /bookings/{booking_ref}/cancel": DESK,
    "GET /bookings/{booking_ref}/history": READERS,
    "POST /api/bookings/{booking_ref}/modify": DESK,
    "POST /api/bookings/{booking_ref}/cancel": DESK,
    "GET /api/bookings/{booking_ref}/changes": DESK,
    # Finding bookings (issue 15): the search box, and the agent's own lists
    "GET /find": READERS,
    "GET /api/lookup": READERS,
    "GET /my/today": DESK,
    "GET /my/pending": DESK,
    # Full-house notices from the confirmation desk (CF-3); inside, only the booking's own
    # agent acknowledges one.
    "GET /api/full-house": DESK,
    "POST /api/full-house/{booking_ref}/acknowledgement": DESK,
    "POST /full-house/{booking_ref}/acknowledge": DESK,
    # Agents' record (IN-12)
    "GET /team": TEAM_RECORD,
    "GET /api/team": TEAM_RECORD,
    # Special prices (IN-11)
    "GET /special-prices": PRICING,
    "POST /special-prices/{booking_ref}/approve": PRICING,
    "POST /special-prices/{booking_ref}/reject": PRICING,
    "GET /api/special-prices": PRICING,
    "POST /api/special-prices/{booking_ref}/approve": PRICING,
    "POST /api/special-prices/{booking_ref}/reject": PRICING,
    # Group clients (IN-9): accounts…
    "GET /groups/accounts": DESK,
    "POST /groups/accounts": LEADS,
    "GET /groups/accounts/{account_id}": DESK,
    "POST /groups/accounts/{account_id}": LEADS,
    "GET /api/group-accounts": DESK,
    "POST /api/group-accounts": LEADS,
    "GET /api/group-accounts/{account_id}": DESK,
    "PUT /api/group-accounts/{account_id}": LEADS,
    # …and group bookings
    "GET /groups": DESK,
    "GET /groups/new": DESK,
    "POST /groups": DESK,
    "GET /groups/{group_id}": DESK,
    "POST /groups/{group_id}/rooming": DESK,
    "POST /groups/{group_id}/place": DESK,
    "POST /groups/{group_id}/cancel": DESK,
    "GET /api/groups": DESK,
    "POST /api/groups": DESK,
    "GET /api/groups/{group_id}": DESK,
    "PUT /api/groups/{group_id}/rooming": DESK,
    "POST /api/groups/{group_id}/place": DESK,
    "POST /api/groups/{group_id}/cancel": DESK,
    # Shift handover book (IN-6)
    "GET /handover": DESK,
    "GET /handover/banner": DESK,
    "GET /handover/history": DESK,
    "POST /handover/entries": DESK,
    "POST /handover/{handover_id}/acknowledge": DESK,
    "POST /handover/tasks/{entry_id}/done": DESK,
    "GET /api/handover": DESK,
    "GET /api/handover/history": DESK,
    "POST /api/handover/entries": DESK,
    "POST /api/handover/{handover_id}/acknowledgements": DESK,
    "POST /api/handover/tasks/{entry_id}/done": DESK,
    # Internal memos (IN-7)
    "GET /memos": MEMOS,
    "GET /memos/new": MEMOS,
    "POST /memos": MEMOS,
    "GET /memos/{memo_id}": MEMOS,
    "POST /memos/{memo_id}/replies": MEMOS,
    "GET /api/memos": MEMOS,
    "POST /api/memos": MEMOS,
    "GET /api/memos/{memo_id}": MEMOS,
    "POST /api/memos/{memo_id}/replies": MEMOS,
}
