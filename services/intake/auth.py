"""Who may use the intake desk."""

from shared.auth import Role

DESK_ROLES = (Role.AGENT, Role.TEAM_LEAD)
# Issue 15: they find a booking and open its page, read-only (no change or cancel).
READ_ROLES = (Role.CONFIRMATION_DESK, Role.CUSTOMER_SERVICE)
