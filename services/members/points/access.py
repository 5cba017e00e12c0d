"""Who may call each points route (merged into ``services.members.access``).

CS-5: customer service keeps the points rules per level; the general manager, who approves
redemptions (CS-2), may change them too. Both read them; every change is audited."""

from __future__ import annotations

from shared.access import RouteRoles
from shared.auth import Role

RULES = frozenset({Role.CUSTOMER_SERVICE, Role.GENERAL_MANAGER})

ROUTES: RouteRoles = {
    "GET /points/rules": RULES,
    "POST /points/rules": RULES,
}
