"""Who may call each members route: the spec ``tests/shared/test_role_matrix.py`` holds the
app to (see ``shared.access``). Rendered into docs/roles.md."""

from __future__ import annotations

from services.members.cards.access import ROUTES as CARDS
from services.members.complaints.access import ROUTES as COMPLAINTS
from services.members.points.access import ROUTES as POINTS
from services.members.profile.access import ROUTES as PROFILE
from services.members.rewards.access import ROUTES as REWARDS
from shared.access import KIT_ROUTES, RouteRoles
from shared.auth import Role

# CS-1, IN-8: member records and the major-complaint flag belong to customer service; admins
# fix records on its behalf.
MEMBERS = frozenset({Role.CUSTOMER_SERVICE, Role.ADMIN})

ROUTE_ROLES: RouteRoles = {
    **KIT_ROUTES,
    # Pages
    "GET /": MEMBERS,
    "GET /new": MEMBERS,
    "POST /members": MEMBERS,
    "GET /members/{member_id}": MEMBERS,
    "POST /members/{member_id}": MEMBERS,
    "POST /members/{member_id}/complaint": MEMBERS,
    "POST /members/{member_id}/complaint/clear": MEMBERS,
    # JSON
    "GET /api/members": MEMBERS,
    "POST /api/members": MEMBERS,
    "GET /api/members/{member_id}": MEMBERS,
    "PUT /api/members/{member_id}": MEMBERS,
    "PUT /api/members/{member_id}/complaint": MEMBERS,
    "DELETE /api/members/{member_id}/complaint": MEMBERS,
    # Issue 18: each feature package's routes, kept beside its pages.
    **PROFILE,
    **POINTS,
    **REWARDS,
    **COMPLAINTS,
    **CARDS,
}
