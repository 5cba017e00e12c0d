"""Who may use the members desk."""

from shared.auth import Role

DESK_ROLES = (Role.CUSTOMER_SERVICE,)
# Member records and the complaint flag (CS-1, IN-8): customer service, and admins who fix
# records on their behalf.
MEMBER_ROLES = (Role.CUSTOMER_SERVICE, Role.ADMIN)
