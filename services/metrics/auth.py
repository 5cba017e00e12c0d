"""Who may use the metrics desk."""

from shared.auth import Role

DESK_ROLES = (Role.GENERAL_MANAGER, Role.TEAM_LEAD)
