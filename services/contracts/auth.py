"""Who may use the contracts desk."""

from shared.auth import Role

DESK_ROLES = (Role.HOTEL_RESOURCES, Role.RESOURCES_DIRECTOR)
