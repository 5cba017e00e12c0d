"""Who may call each contracts (hotel resources) route: the spec
``tests/shared/test_role_matrix.py`` holds the app to (see ``shared.access``). Rendered into
docs/roles.md."""

from __future__ import annotations

from shared.access import KIT_ROUTES, RouteRoles
from shared.auth import Role

# HR-1 … HR-14: the hotel-resources (pricing) desk and its director.
DESK = frozenset({Role.HOTEL_RESOURCES, Role.RESOURCES_DIRECTOR})
# HR-3, HR-6: contracts take effect and recommended hotels go online only once the director
# approves; inside, nobody decides on what they drafted, submitted or proposed.
DIRECTOR = frozenset({Role.RESOURCES_DIRECTOR})
# HR-9: free rooms are the desk's, and staff stays on them need the director and then the
# general manager (the business's CEO) to approve.
FREE_ROOMS = DESK | {Role.GENERAL_MANAGER}
FREE_ROOM_APPROVERS = frozenset({Role.RESOURCES_DIRECTOR, Role.GENERAL_MANAGER})
# Channel-manager credentials (machine logins that write the rate grid): the director, or an
# admin, who also keeps staff logins.
CREDENTIAL_KEEPERS = frozenset({Role.RESOURCES_DIRECTOR, Role.ADMIN})

ROUTE_ROLES: RouteRoles = {
    **KIT_ROUTES,
    # Hotels' files, room types, rate plans, allotments, rates and status (HR-2, HR-10, HR-13)
    "GET /": DESK,
    "GET /hotels/new": DESK,
    "POST /hotels": DESK,
    "GET /hotels/{hotel_id}": DESK,
    "POST /hotels/{hotel_id}/room-types": DESK,
    "POST /hotels/{hotel_id}/rate-plans": DESK,
    "POST /hotels/{hotel_id}/allotments": DESK,
    "POST /hotels/{hotel_id}/rates": DESK,
    "POST /hotels/{hotel_id}/member-requests": DESK,
    "POST /hotels/{hotel_id}/status": DESK,
    "POST /hotels/{hotel_id}/photos": DESK,
    "GET /photos/{photo_id}.jpg": DESK,
    "GET /api/hotels": DESK,
    "POST /api/hotels": DESK,
    "GET /api/hotels/{hotel_id}": DESK,
    "PUT /api/hotels/{hotel_id}/status": DESK,
    "POST /api/hotels/{hotel_id}/room-types": DESK,
    "POST /api/hotels/{hotel_id}/rate-plans": DESK,
    "PUT /api/allotments": DESK,
    "PUT /api/rates": DESK,
    # Stop-sell and other restrictions by night
    "GET /hotels/{hotel_id}/calendar": DESK,
    "POST /hotels/{hotel_id}/calendar": DESK,
    "PUT /api/restrictions": DESK,
    # Conditions announced to sales and booking (HR-8)
    "GET /hotels/{hotel_id}/conditions": DESK,
    "POST /hotels/{hotel_id}/conditions": DESK,
    "POST /hotels/{hotel_id}/conditions/{condition_id}/remove": DESK,
    # Contracts and their versions (HR-1, HR-3): the desk drafts, the director decides
    "GET /hotels/{hotel_id}/contracts": DESK,
    "POST /hotels/{hotel_id}/contracts": DESK,
    "GET /contracts/{contract_id}": DESK,
    "POST /contracts/{contract_id}/versions": DESK,
    "GET /versions/{version_id}": DESK,
    "POST /versions/{version_id}/submit": DESK,
    "POST /versions/{version_id}/edit": DESK,
    "POST /versions/{version_id}/withdraw": DESK,
    "POST /versions/{version_id}/approve": DIRECTOR,
    "POST /versions/{version_id}/reject": DIRECTOR,
    "GET /approvals": DIRECTOR,
    "GET /api/hotels/{hotel_id}/contracts": DESK,
    "POST /api/hotels/{hotel_id}/contracts": DESK,
    "GET /api/contracts/{contract_id}": DESK,
    "POST /api/contracts/{contract_id}/versions": DESK,
    "GET /api/versions/{version_id}": DESK,
    "PUT /api/versions/{version_id}": DESK,
    "POST /api/versions/{version_id}/submit": DESK,
    "POST /api/versions/{version_id}/withdraw": DESK,
    "POST /api/versions/{version_id}/approve": DIRECTOR,
    "POST /api/versions/{version_id}/reject": DIRECTOR,
    "GET /api/approvals": DIRECTOR,
    # Recommended hotels (HR-6): the desk proposes, the director decides
    "GET /recommendations": DESK,
    "POST /recommendations": DESK,
    "POST /recommendations/{recommendation_id}/{decision}": DIRECTOR,
    # Reports: rankings (HR-11), competitors' prices (HR-5), high seasons (HR-7)
    "GET /rankings": DESK,
    "GET /api/rankings": DESK,
    "GET /competitors": DESK,
    "POST /competitors/import": DESK,
    "GET /api/competitors/summary": DESK,
    "GET /seasons": DESK,
    "POST /seasons": DESK,
    # Free rooms (HR-9). POST /free-rooms/{action}: "uses" (ask for a stay) is for all three
    # roles, "grants" (record a contract's free rooms) only for the desk, checked inside.
    "GET /free-rooms": FREE_ROOMS,
    "POST /free-rooms/{action}": FREE_ROOMS,
    "POST /free-rooms/uses/{use_id}/{decision}": FREE_ROOM_APPROVERS,
    # Rate sheets in and out, and the OTA (AlpineBits) endpoints; a channel manager calls
    # those with its HTTP Basic credential instead of a session.
    "GET /imports": DESK,
    "POST /imports": DESK,
    "GET /imports/{job_id}": DESK,
    "POST /api/imports": DESK,
    "GET /api/imports/{job_id}": DESK,
    "POST /api/ota/HotelAvailNotif": DESK,
    "POST /api/ota/HotelRatePlanNotif": DESK,
    "GET /hotels/{hotel_id}/export.xlsx": DESK,
    # Channel-manager credentials
    "GET /channel-managers": CREDENTIAL_KEEPERS,
    "POST /channel-managers": CREDENTIAL_KEEPERS,
    "POST /channel-managers/{channel_manager_id}/revoke": CREDENTIAL_KEEPERS,
    "GET /api/channel-managers": CREDENTIAL_KEEPERS,
    "POST /api/channel-managers": CREDENTIAL_KEEPERS,
    "POST /api/channel-managers/{channel_manager_id}/revoke": CREDENTIAL_KEEPERS,
}
