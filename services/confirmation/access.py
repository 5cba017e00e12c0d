"""Who may call each confirmation desk route: the spec ``tests/shared/test_role_matrix.py``
holds the app to (see ``shared.access``). Rendered into docs/roles.md."""

from __future__ import annotations

from shared.access import KIT_ROUTES, RouteRoles
from shared.auth import Role

# CF-1 … CF-8: the confirmation desk alone sends orders, chases hotels, files their replies
# and tells customers. (Others see a booking's confirmation through intake.)
DESK = frozenset({Role.CONFIRMATION_DESK})

ROUTE_ROLES: RouteRoles = {
    **KIT_ROUTES,
    # The queue (CF-2) and its tasks
    "GET /": DESK,
    "GET /api/tasks": DESK,
    "GET /api/tasks/{booking_ref}": DESK,
    "GET /tasks/{task_id}": DESK,
    "GET /api/tasks/{task_id}/live": DESK,  # issue 15: the task page's state without a reload
    "POST /claim-next": DESK,
    "POST /tasks/{task_id}/{action}": DESK,
    "POST /api/tasks/{task_id}/{action}": DESK,
    # Sending the order sheet to the hotel and the confirmation to the customer (CF-1, CF-6)
    "POST /tasks/{task_id}/send": DESK,
    "POST /tasks/{task_id}/customer-notice/send": DESK,
    "POST /api/tasks/{task_id}/send": DESK,
    "POST /api/tasks/{task_id}/customer-notice/send": DESK,
    "GET /api/dispatches/{dispatch_id}": DESK,
    "GET /tasks/{task_id}/order.pdf": DESK,
    "GET /tasks/{task_id}/customer.pdf": DESK,
    # Hotels' replies: the unmatched tray and filing (CF-4)
    "GET /replies": DESK,
    "GET /replies/{reply_id}": DESK,
    "POST /replies/{reply_id}/file": DESK,
    "GET /replies/{reply_id}/attachments/{attachment_id}": DESK,
    "GET /replies/{reply_id}/raw": DESK,
    "GET /api/replies": DESK,
    "GET /api/replies/{reply_id}": DESK,
    "POST /api/replies/{reply_id}/file": DESK,
    # The archive of what was sent and received, by date (CF-4)
    "GET /archive": DESK,
    "GET /api/archive": DESK,
    "GET /dispatches/{dispatch_id}/document": DESK,
}
