"""Who may use the payments desk."""

from shared.auth import Role

DESK_ROLES = (Role.COLLECT_DESK, Role.FINANCE, Role.TEAM_LEAD)
