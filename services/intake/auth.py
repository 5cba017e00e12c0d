"""Who may use the intake desk."""

from shared.auth import Role

DESK_ROLES = (Role.AGENT, Role.TEAM_LEAD)
