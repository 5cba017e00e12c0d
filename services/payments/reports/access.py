"""Who may call each reports route (merged into ``services.payments.access``)."""

from __future__ import annotations

from shared.access import RouteRoles

ROUTES: RouteRoles = {}
