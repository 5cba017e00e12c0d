"""Who may use the members desk."""

from shared.auth import Role

DESK_ROLES = (Role.CUSTOMER_SERVICE,)
