"""Who may call each rewards route (merged into ``services.members.access``).

CS-2: customer service keeps the catalogue, fills redemption forms with the member, buys and
delivers the prizes; the general manager approves or rejects (maker-checker) and reads along.
"""

from __future__ import annotations

from shared.access import RouteRoles
from shared.auth import Role

DESK = frozenset({Role.CUSTOMER_SERVICE})
DECIDE = frozenset({Role.GENERAL_MANAGER})
READ = DESK | DECIDE

ROUTES: RouteRoles = {
    "GET /rewards": READ,
    "POST /rewards/catalogue": DESK,
    "POST /rewards/catalogue/{reward_id}": DESK,
    "GET /rewards/redeem": DESK,
    "POST /rewards/redemptions": DESK,
    "GET /rewards/redemptions/{redemption_id}": READ,
    "POST /rewards/redemptions/{redemption_id}/withdraw": DESK,
    "GET /rewards/approvals": DECIDE,
    "POST /rewards/redemptions/{redemption_id}/approve": DECIDE,
    "POST /rewards/redemptions/{redemption_id}/reject": DECIDE,
    "GET /rewards/batch": READ,
    "POST /rewards/batch/purchase": DESK,
    "POST /rewards/redemptions/{redemption_id}/purchase": DESK,
    "POST /rewards/redemptions/{redemption_id}/deliver": DESK,
    "GET /rewards/redemptions/{redemption_id}/letter.pdf": READ,
    "GET /api/rewards": READ,
    "POST /api/rewards/redemptions": DESK,
    "GET /api/rewards/redemptions/{redemption_id}": READ,
    "POST /api/rewards/redemptions/{redemption_id}/approve": DECIDE,
    "POST /api/rewards/redemptions/{redemption_id}/reject": DECIDE,
    "POST /api/rewards/redemptions/{redemption_id}/withdraw": DESK,
}
