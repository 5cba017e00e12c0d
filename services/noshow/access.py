"""Who may call each no-show desk route: the spec ``tests/shared/test_role_matrix.py`` holds
the app to (see ``shared.access``). Rendered into docs/roles.md."""

from __future__ import annotations

from shared.access import KIT_ROUTES, RouteRoles
from shared.auth import Role

# NS-1 … NS-7: the no-show desk works the list; team leads oversee it. (NS-5: agents and
# sales will look records up, read only, once the desk has records to show.)
DESK = frozenset({Role.NOSHOW_DESK, Role.TEAM_LEAD})

ROUTE_ROLES: RouteRoles = {
    **KIT_ROUTES,
    "GET /": DESK,
}
