"""Who may call each slips route (merged into ``services.payments.access``).

PAY-1: the collect-on-behalf desk records money and submits its slips; a team lead signs or
sends back. PAY-2: finance counts the cash handed over and issues invoices. All three read.
"""

from __future__ import annotations

from shared.access import RouteRoles
from shared.auth import Role

COLLECT = frozenset({Role.COLLECT_DESK})
LEAD = frozenset({Role.TEAM_LEAD})
FINANCE = frozenset({Role.FINANCE})
DESK = COLLECT | LEAD | FINANCE

ROUTES: RouteRoles = {
    "GET /slips": DESK,
    "GET /slips/{slip_id}": DESK,
    "POST /slips/{slip_id}/payments": COLLECT,
    "POST /slips/{slip_id}/submit": COLLECT,
    "POST /slips/{slip_id}/sign": LEAD,
    "POST /slips/{slip_id}/send-back": LEAD,
    "POST /slips/{slip_id}/invoice": FINANCE,
    "GET /handovers": FINANCE,
    "POST /handovers": FINANCE,
    "GET /handovers/{handover_no}": DESK,
    "GET /api/slips": DESK,
    "GET /api/slips/{slip_id}": DESK,
    "POST /api/slips/{slip_id}/payments": COLLECT,
    "POST /api/slips/{slip_id}/submit": COLLECT,
    "POST /api/slips/{slip_id}/sign": LEAD,
    "POST /api/slips/{slip_id}/send-back": LEAD,
    "POST /api/slips/{slip_id}/invoice": FINANCE,
    "POST /api/slips/handovers": FINANCE,
}
