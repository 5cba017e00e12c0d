"""Who may call each payments route: the spec ``tests/shared/test_role_matrix.py`` holds the
app to (see ``shared.access``). Rendered into docs/roles.md. Each feature package keeps its
own routes' roles beside its pages; this merges them."""

from __future__ import annotations

from services.payments.bank.access import ROUTES as BANK
from services.payments.hotels.access import ROUTES as HOTELS
from services.payments.reports.access import ROUTES as REPORTS
from services.payments.settlement.access import ROUTES as SETTLEMENT
from services.payments.slips.access import ROUTES as SLIPS
from shared.access import KIT_ROUTES, RouteRoles
from shared.auth import Role

# PAY-1 … PAY-6: the collect-on-behalf desk, finance (the settlement centre) and the team
# leads who sign collect-on-behalf slips.
DESK = frozenset({Role.COLLECT_DESK, Role.FINANCE, Role.TEAM_LEAD})
FINANCE = frozenset({Role.FINANCE})

ROUTE_ROLES: RouteRoles = {
    **KIT_ROUTES,
    "GET /": DESK,
    # The ledger's JSON API: finance posts manual journals; the desk reads balances.
    "POST /api/ledger/transactions": FINANCE,
    "POST /api/ledger/transactions/batch": FINANCE,
    "GET /api/ledger/balances": DESK,
    "GET /api/ledger/check": DESK,
    **SLIPS,
    **HOTELS,
    **SETTLEMENT,
    **BANK,
    **REPORTS,
}
