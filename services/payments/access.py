"""Who may call each payments route: the spec ``tests/shared/test_role_matrix.py`` holds the
app to (see ``shared.access``). Rendered into docs/roles.md."""

from __future__ import annotations

from shared.access import KIT_ROUTES, RouteRoles
from shared.auth import Role

# PAY-1 … PAY-6: the collect-on-behalf desk, finance (the settlement centre) and the team
# leads who sign collect-on-behalf slips.
DESK = frozenset({Role.COLLECT_DESK, Role.FINANCE, Role.TEAM_LEAD})

ROUTE_ROLES: RouteRoles = {
    **KIT_ROUTES,
    "GET /": DESK,
}
