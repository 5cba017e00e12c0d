"""Who may call each settlement route (merged into ``services.payments.access``).

PAY-5: finance and the collect desk (the settlement centre) generate and read statements,
team leads read them, and only finance approves or rejects (never the statement's maker:
``service.approve``)."""

from __future__ import annotations

from shared.access import RouteRoles
from shared.auth import Role

READ = frozenset({Role.FINANCE, Role.COLLECT_DESK, Role.TEAM_LEAD})
MAKE = frozenset({Role.FINANCE, Role.COLLECT_DESK})
CHECK = frozenset({Role.FINANCE})

ROUTES: RouteRoles = {
    "GET /statements": READ,
    "POST /statements/generate": MAKE,
    "GET /statements/{statement_id}": READ,
    "POST /statements/{statement_id}/{decision}": CHECK,
    "GET /statements/{statement_id}/pdf": READ,
    "GET /statements/{statement_id}/xlsx": READ,
    "GET /api/statements": READ,
    "POST /api/statements": MAKE,
    "GET /api/statements/{statement_id}": READ,
    "POST /api/statements/{statement_id}/approve": CHECK,
    "POST /api/statements/{statement_id}/reject": CHECK,
}
