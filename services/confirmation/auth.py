"""Who may use the confirmation desk."""

from shared.auth import Role

DESK_ROLES = (Role.CONFIRMATION_DESK,)
