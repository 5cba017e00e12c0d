"""Who may call each no-show desk route: the spec ``tests/shared/test_role_matrix.py`` holds
the app to (see ``shared.access``). Rendered into docs/roles.md."""

from __future__ import annotations

from shared.access import KIT_ROUTES, RouteRoles
from shared.auth import Role

# NS-1 … NS-7: the no-show desk works the list; team leads oversee it. NS-5: agents and
# sales (hotel resources) look records up, read only; NS-4: suggestions reach the manager.
DESK = frozenset({Role.NOSHOW_DESK, Role.TEAM_LEAD})
READERS = DESK | {Role.AGENT, Role.HOTEL_RESOURCES}
MANAGER = DESK | {Role.GENERAL_MANAGER}
CREDENTIAL_KEEPERS = frozenset({Role.ADMIN, Role.TEAM_LEAD})

ROUTE_ROLES: RouteRoles = {
    **KIT_ROUTES,
    "GET /": DESK,
    # The desk's cases (NS-1 … NS-5): the second check and the correction are the desk's alone.
    "GET /cases/{case_id}": DESK,
    "POST /cases/{case_id}/{action}": DESK,
    "GET /suggestions": MANAGER,
    # NS-7: the day's and month's no-show rates, for the desk and the general manager.
    "GET /reports": MANAGER,
    "GET /reports.xlsx": MANAGER,
    "GET /api/reports": MANAGER,
    "GET /lookup": READERS,
    "GET /api/records/{booking_ref}": READERS,
    # Night-audit input (NS-1): uploads, the desk typing a hotel's word, and the JSON API (a
    # hotel's or channel manager's machine credential, or the desk with its session).
    "GET /night-audit": DESK,
    "POST /night-audit": DESK,
    "POST /check-ins": DESK,
    "POST /api/night-audit": DESK,
    # Its machine credentials: an admin, or the desk's team lead.
    "GET /audit-credentials": CREDENTIAL_KEEPERS,
    "POST /audit-credentials": CREDENTIAL_KEEPERS,
    "POST /audit-credentials/{credential_id}/revoke": CREDENTIAL_KEEPERS,
}
