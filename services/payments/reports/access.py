"""Who may call each reports route (merged into ``services.payments.access``)."""

from __future__ import annotations

from shared.access import RouteRoles
from shared.auth import Role

# PAY-6: the desk's weekly summary and the balances, for the collect-on-behalf desk, its team
# leads and finance, and for the general manager who reads how the desk does.
READERS = frozenset({Role.COLLECT_DESK, Role.TEAM_LEAD, Role.FINANCE, Role.GENERAL_MANAGER})

ROUTES: RouteRoles = {
    "GET /reports": READERS,
    "GET /reports/weekly.xlsx": READERS,
    "GET /api/reports/weekly": READERS,
    "GET /reports/balances": READERS,
    "GET /reports/balances.xlsx": READERS,
}
