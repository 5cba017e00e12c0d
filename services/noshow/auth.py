"""Who may use the noshow desk."""

from shared.auth import Role

DESK_ROLES = (Role.NOSHOW_DESK, Role.TEAM_LEAD)
