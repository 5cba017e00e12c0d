"""Who may call each cards route (merged into ``services.members.access``).

CS-4: the card mailing and the inactive members' follow-up are customer service's desk work.
"""

from __future__ import annotations

from services.members.auth import DESK_ROLES
from shared.access import RouteRoles

DESK = frozenset(DESK_ROLES)

ROUTES: RouteRoles = {
    "GET /cards": DESK,
    "POST /cards/batches": DESK,
    "GET /cards/batches/{batch_no}.pdf": DESK,
    "GET /cards/batches/{batch_no}.csv": DESK,
    "POST /cards/batches/{batch_no}/mailed": DESK,
    "GET /inactive": DESK,
    "POST /inactive/refresh": DESK,
    "POST /inactive/{followup_id}": DESK,
}
