"""Who may use the gateway's screens."""

from shared.auth import Role

ADMIN_ROLES = (Role.ADMIN,)
