"""Who may call each profile route (merged into ``services.members.access``).

CS-1: the inquiry screen is customer service's; admins fix records on its behalf."""

from __future__ import annotations

from shared.access import RouteRoles
from shared.auth import Role

MEMBERS = frozenset({Role.CUSTOMER_SERVICE, Role.ADMIN})

ROUTES: RouteRoles = {
    "GET /api/members/{member_id}/inquiry": MEMBERS,
}
