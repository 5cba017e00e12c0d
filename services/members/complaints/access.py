"""Who may call each complaints route (merged into ``services.members.access``).

CS-3: customer service records, answers and closes complaints; the general manager reads the
weekly and monthly summaries (the GM's desk path is /members/complaints/summary)."""

from __future__ import annotations

from shared.access import RouteRoles
from shared.auth import Role

DESK = frozenset({Role.CUSTOMER_SERVICE})
SUMMARY_READERS = frozenset({Role.CUSTOMER_SERVICE, Role.GENERAL_MANAGER})

ROUTES: RouteRoles = {
    "GET /complaints": DESK,
    "GET /complaints/new": DESK,
    "POST /complaints": DESK,
    "GET /complaints/summary": SUMMARY_READERS,
    "GET /complaints/summary.xlsx": SUMMARY_READERS,
    "GET /complaints/{complaint_id}": DESK,
    "POST /complaints/{complaint_id}/{action}": DESK,
    "POST /api/complaints": DESK,
    "GET /api/complaints/{complaint_id}": DESK,
}
