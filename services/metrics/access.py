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
    # The telephony webhook: a telephony system sends its bearer token instead of a session
    # (webhook.TelephonySender); with a session, only an admin replays events by hand.
    "POST /api/call-events": ADMIN,
}
