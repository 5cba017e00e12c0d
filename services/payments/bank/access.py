"""Who may call each bank route (merged into ``services.payments.access``): the bank
account is finance's alone (PAY-5)."""

from __future__ import annotations

from shared.access import RouteRoles
from shared.auth import Role

FINANCE = frozenset({Role.FINANCE})

ROUTES: RouteRoles = {
    "GET /bank": FINANCE,
    "POST /bank": FINANCE,
    "GET /bank/imports/{import_id}": FINANCE,
    "GET /bank/unmatched": FINANCE,
    "GET /bank/entries/{entry_id}": FINANCE,
    "POST /bank/entries/{entry_id}/match": FINANCE,
    "POST /bank/entries/{entry_id}/ignore": FINANCE,
}
