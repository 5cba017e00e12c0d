"""Staff, roles, server-side sessions, CSRF, and the ``require(role, ...)`` dependency.

Users live in the gateway's schema; the gateway writes a session into Redis at login and
every service reads it from there, so no service queries another's tables.
"""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Annotated, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request
from redis.asyncio import Redis

from shared.errors import Forbidden, NotAuthenticated

SESSION_COOKIE = "roomline_session"
LOGIN_CSRF_COOKIE = "roomline_login_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Role(StrEnum):
    AGENT = "agent"
    TEAM_LEAD = "team_lead"
    CONFIRMATION_DESK = "confirmation_desk"
    NOSHOW_DESK = "noshow_desk"
    COLLECT_DESK = "collect_desk"
    FINANCE = "finance"
    HOTEL_RESOURCES = "hotel_resources"
    RESOURCES_DIRECTOR = "resources_director"
    CUSTOMER_SERVICE = "customer_service"
    GENERAL_MANAGER = "general_manager"
    ADMIN = "admin"


_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class Staff:
    user_id: int
    username: str
    display_name: str
    roles: tuple[str, ...]
    csrf_token: str

    def has_any(self, roles: frozenset[str]) -> bool:
        return bool(roles.intersection(self.roles))


class SessionStore:
    """Sessions as Redis keys with a TTL: expiry is enforced by Redis itself."""

    def __init__(self, redis: Redis, ttl_seconds: int, prefix: str = "roomline") -> None:
        self.redis = redis
        self.ttl_seconds = ttl_seconds
        self.prefix = prefix

    def _key(self, token: str) -> str:
        return f"{self.prefix}:session:{token}"

    async def create(
        self, *, user_id: int, username: str, display_name: str, roles: list[str]
    ) -> str:
        token = secrets.token_urlsafe(32)
        staff = Staff(user_id, username, display_name, tuple(roles), secrets.token_urlsafe(24))
        await self.redis.set(self._key(token), json.dumps(asdict(staff)), ex=self.ttl_seconds)
        return token

    async def get(self, token: str) -> Staff | None:
        raw = await self.redis.get(self._key(token))
        if raw is None:
            return None
        data: dict[str, Any] = json.loads(raw)
        data["roles"] = tuple(data["roles"])
        return Staff(**data)

    async def delete(self, token: str) -> None:
        await self.redis.delete(self._key(token))


async def _submitted_csrf(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # Starlette caches it, so the endpoint can read it again
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def current_staff(request: Request) -> Staff:
    token = request.cookies.get(SESSION_COOKIE)
    store: SessionStore = request.app.state.sessions
    staff = await store.get(token) if token else None
    if staff is None:
        raise NotAuthenticated("Please log in.")
    if request.method in UNSAFE_METHODS:
        submitted = await _submitted_csrf(request)
        if not submitted or not hmac.compare_digest(submitted, staff.csrf_token):
            raise Forbidden("The form's security token is missing or out of date; reload the page.")
    return staff


class RoleRequirement:
    """A route dependency that admits staff holding any of ``roles``; tests read ``roles``."""

    def __init__(self, roles: frozenset[str]) -> None:
        self.roles = roles

    async def __call__(self, staff: Annotated[Staff, Depends(current_staff)]) -> Staff:
        if not staff.has_any(self.roles):
            names = ", ".join(sorted(self.roles))
            raise Forbidden(f"This needs one of the roles: {names}.")
        return staff


def require(*roles: Role) -> Any:
    """``Depends(require(Role.AGENT))``: every non-public route declares its roles this way."""
    if not roles:
        raise ValueError("require() needs at least one role")
    return Depends(RoleRequirement(frozenset(r.value for r in roles)))


def ensure_role(staff: Staff, *roles: Role) -> None:
    """Second check inside a service function for anything that moves money or approves."""
    if not staff.has_any(frozenset(r.value for r in roles)):
        raise Forbidden("You do not hold the role this action needs.")


@dataclass(frozen=True, slots=True)
class Desk:
    service: str
    title: str
    path: str
    roles: frozenset[str]


def _roles(*roles: Role) -> frozenset[str]:
    return frozenset(r.value for r in roles)


# The shell's menu: which desk each role sees. Paths are where the all-in-one process
# mounts each service; a service run alone serves the same pages at its root.
DESKS: tuple[Desk, ...] = (
    Desk("intake", "Bookings", "/intake/", _roles(Role.AGENT, Role.TEAM_LEAD)),
    Desk("intake", "Shift handover", "/intake/handover", _roles(Role.AGENT, Role.TEAM_LEAD)),
    Desk("intake", "Agents' record", "/intake/team", _roles(Role.TEAM_LEAD, Role.ADMIN)),  # IN-12
    Desk(
        "intake",
        "Special prices",  # IN-11: the pricing desk approves what agents ask
        "/intake/special-prices",
        _roles(Role.HOTEL_RESOURCES, Role.RESOURCES_DIRECTOR),
    ),
    Desk("confirmation", "Confirmation queue", "/confirmation/", _roles(Role.CONFIRMATION_DESK)),
    Desk(
        "contracts",
        "Hotel resources",
        "/contracts/",
        _roles(Role.HOTEL_RESOURCES, Role.RESOURCES_DIRECTOR),
    ),
    Desk("noshow", "No-show desk", "/noshow/", _roles(Role.NOSHOW_DESK, Role.TEAM_LEAD)),
    Desk(
        "payments",
        "Collect-on-behalf & finance",
        "/payments/",
        _roles(Role.COLLECT_DESK, Role.FINANCE, Role.TEAM_LEAD),
    ),
    Desk("members", "Members & complaints", "/members/", _roles(Role.CUSTOMER_SERVICE)),
    Desk("contracts", "Free-room approvals", "/contracts/free-rooms", _roles(Role.GENERAL_MANAGER)),
    Desk("metrics", "Service levels", "/sla/", _roles(Role.GENERAL_MANAGER, Role.TEAM_LEAD)),
    # IN-7: every desk a memo can be routed to, plus those who raise and oversee them; last,
    # so each person's own desk comes first in the menu.
    Desk("intake", "Internal memos", "/intake/memos", frozenset(Role) - {Role.ADMIN}),
)


def desks_for(staff: Staff | None) -> list[Desk]:
    if staff is None:
        return []
    return [desk for desk in DESKS if staff.has_any(desk.roles)]
