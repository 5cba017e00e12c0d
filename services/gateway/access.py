"""Who may call each gateway route: the spec ``tests/shared/test_role_matrix.py`` holds the
app to (see ``shared.access``). Rendered into docs/roles.md."""

from __future__ import annotations

from shared.access import ADMIN, ANY_STAFF, KIT_ROUTES, PUBLIC, RouteRoles

ROUTE_ROLES: RouteRoles = {
    **KIT_ROUTES,
    # PUBLIC: the login form and its post (the post checks the form's own CSRF cookie).
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    # Every member of staff: the shell with the desks of their roles, and logging out.
    "GET /": ANY_STAFF,
    "POST /logout": ANY_STAFF,
    "POST /language": ANY_STAFF,  # each person chooses their own language (issue 15)
    # Staff accounts, roles, passwords and login lockouts: admins only (all audited).
    "GET /admin/staff": ADMIN,
    "POST /admin/staff": ADMIN,
    "POST /admin/staff/{user_id}/roles": ADMIN,
    "POST /admin/staff/{user_id}/deactivate": ADMIN,
    "POST /admin/staff/{user_id}/activate": ADMIN,
    "POST /admin/staff/{user_id}/password": ADMIN,
    "POST /admin/staff/lockouts/clear": ADMIN,
    "GET /api/staff": ADMIN,
    "PUT /api/staff/{user_id}/roles": ADMIN,
    "POST /api/staff/{user_id}/deactivate": ADMIN,
    "POST /api/staff/{user_id}/activate": ADMIN,
    "POST /api/staff/{user_id}/password": ADMIN,
    "GET /api/staff/lockouts": ADMIN,
    "POST /api/staff/lockouts/clear": ADMIN,
}
