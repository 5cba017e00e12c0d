"""Who may call each metrics (service levels) route: the spec
``tests/shared/test_role_matrix.py`` holds the app to (see ``shared.access``). Rendered into
docs/roles.md."""

from __future__ import annotations

from shared.access import ADMIN, KIT_ROUTES, RouteRoles
from shared.auth import Role

# SL-1 … SL-6: the general manager and the team leads watch the service levels.
MANAGERS = frozenset({Role.GENERAL_MANAGER, Role.TEAM_LEAD})

ROUTE_ROLES: RouteRoles = {
    **KIT_ROUTES,
    "GET /": MANAGERS,
    "GET /today": MANAGERS,
    "GET /api/today": MANAGERS,
    "GET /history": MANAGERS,
    "GET /api/history": MANAGERS,
    "GET /history.csv": MANAGERS,
    "GET /history.xlsx": MANAGERS,
    "GET /breaches": MANAGERS,
    "GET /api/breaches": MANAGERS,
    # SL-1 staffing (Erlang C); the table and chart are on GET /history.
    "GET /api/staffing": MANAGERS,
    # Issue 15: an admin names the staff member behind each telephony extension.
    "GET /admin/agents": ADMIN,
    "POST /admin/agents": ADMIN,
    "GET /api/admin/agents": ADMIN,
    "POST /api/admin/agents": ADMIN,
    # The telephony webhook: a telephony system sends its bearer token instead of a session
    # (webhook.TelephonySender); with a session, only an admin replays events by hand.
    "POST /api/call-events": ADMIN,
}
