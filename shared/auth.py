"""Staff, roles, server-side sessions, CSRF, and the ``require(role, ...)`` dependency.

Users live in the gateway's schema; the gateway writes a session into Redis at login and
every service reads it from there, so no service queries another's tables.

Roles are copied into the session at login and are *not* re-read on each request (that would
mean every service querying the gateway's table). Instead a change revokes: deactivating a
person, changing their roles or resetting their password bumps ``staff_user.sessions_epoch``
and, once that commits, writes the new epoch to Redis (``SessionStore.end_all``). Each session
carries the epoch it was opened under, and every request compares it with the person's
current one: an older session is deleted and the caller must log in again, getting the new
roles (or, deactivated, nothing). Setting the epoch after the commit means a login racing the
change either reads the new row or is opened under the old epoch and refused. (Should Redis
fail in the moment between the commit and that write, the old sessions live on to their TTL;
``after_commit_failed`` is logged and repeating the change ends them.)

Password hashing and checking (argon2, ~50 ms of CPU) run in a worker thread:
``hashed_password`` and ``password_matches`` are what request paths call.

Redis unreachable where a session is read: ``ServiceUnavailable`` (503, a readable page or
JSON), never a 500.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Annotated, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from shared.errors import Forbidden, NotAuthenticated, ServiceUnavailable
from shared.i18n import N_

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


async def hashed_password(password: str) -> str:
    """``hash_password`` off the event loop."""
    return await asyncio.to_thread(hash_password, password)


async def password_matches(password_hash: str, password: str) -> bool:
    """``verify_password`` off the event loop."""
    return await asyncio.to_thread(verify_password, password_hash, password)


SESSIONS_UNAVAILABLE = (
    "会话服务暂时不可用，请稍后再试 / Sessions are unavailable just now; try again shortly."
)


@dataclass(frozen=True, slots=True)
class Staff:
    user_id: int
    username: str
    display_name: str
    roles: tuple[str, ...]
    csrf_token: str
    epoch: int = 0  # the person's sessions_epoch at login; an older one is revoked

    def has_any(self, roles: frozenset[str]) -> bool:
        return bool(roles.intersection(self.roles))


# Sets the person's epoch unless a higher one is there already (two changes may finish out of
# order); it lives as long as a session may, after which no older session is left.
_RAISE_EPOCH = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
return 1
"""


class SessionStore:
    """Sessions as Redis keys with a TTL: expiry is enforced by Redis itself; a session older
    than its person's epoch is revoked (see the module's docs)."""

    def __init__(self, redis: Redis, ttl_seconds: int, prefix: str = "roomline") -> None:
        self.redis = redis
        self.ttl_seconds = ttl_seconds
        self.prefix = prefix

    def _key(self, token: str) -> str:
        return f"{self.prefix}:session:{token}"

    def _epoch_key(self, user_id: int) -> str:
        return f"{self.prefix}:staff-epoch:{user_id}"

    def _names_key(self) -> str:
        return f"{self.prefix}:staff-names"

    async def create(
        self,
        *,
        user_id: int,
        username: str,
        display_name: str,
        roles: list[str],
        epoch: int = 0,
    ) -> str:
        # The person's id leads the token so one MGET reads the session and its epoch.
        token = f"{user_id}.{secrets.token_urlsafe(32)}"
        csrf = secrets.token_urlsafe(24)
        staff = Staff(user_id, username, display_name, tuple(roles), csrf, epoch)
        await self.redis.set(self._key(token), json.dumps(asdict(staff)), ex=self.ttl_seconds)
        # Issue 15: the name each person logged in under, for pages that list staff by
        # username (a team's record, service levels). No service reads the gateway's table,
        # and no event carries names; a renamed person shows the new name from their next login.
        await self.redis.hset(self._names_key(), username, display_name)  # type: ignore[misc]
        return token

    async def display_names(self, usernames: Iterable[str]) -> dict[str, str]:
        """The display names known for ``usernames`` (those who have logged in); others absent."""
        wanted = sorted(set(usernames))
        if not wanted:
            return {}
        found = await self.redis.hmget(self._names_key(), wanted)  # type: ignore[misc]
        return {
            username: name.decode() if isinstance(name, bytes) else name
            for username, name in zip(wanted, found, strict=True)
            if name
        }

    async def known_usernames(self, limit: int = 500) -> list[str]:
        """Usernames of people who have logged in, for pick lists (at most ``limit``)."""
        names = await self.redis.hkeys(self._names_key())  # type: ignore[misc]
        return sorted(n.decode() if isinstance(n, bytes) else n for n in names)[:limit]

    async def get(self, token: str) -> Staff | None:
        user_id, dot, _secret = token.partition(".")
        if not dot or not user_id.isdigit() or len(user_id) > 18 or len(token) > 120:
            return None
        session_key = self._key(token)
        raw, current = await self.redis.mget(session_key, self._epoch_key(int(user_id)))
        if raw is None:
            return None
        data: dict[str, Any] = json.loads(raw)
        data["roles"] = tuple(data["roles"])
        staff = Staff(**data)
        if staff.user_id != int(user_id):
            return None
        if current is not None and int(current) > staff.epoch:
            await self.redis.delete(session_key)  # revoked: deactivated, roles changed…
            return None
        return staff

    async def end_all(self, user_id: int, epoch: int) -> None:
        """End every session of ``user_id`` opened under an epoch below ``epoch``."""
        ttl = self.ttl_seconds + 60
        await self.redis.eval(_RAISE_EPOCH, 1, self._epoch_key(user_id), str(epoch), str(ttl))  # type: ignore[misc]

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
    try:
        staff = await store.get(token) if token else None
    except (RedisConnectionError, RedisTimeoutError) as exc:
        raise ServiceUnavailable(SESSIONS_UNAVAILABLE) from exc
    if staff is None:
        raise NotAuthenticated("请先登录 / Please log in.")
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


# What each role is called on the pages (translated where shown, issue 15).
ROLE_NAMES: dict[str, str] = {
    Role.AGENT: N_("Agent"),
    Role.TEAM_LEAD: N_("Team lead"),
    Role.CONFIRMATION_DESK: N_("Confirmation desk"),
    Role.NOSHOW_DESK: N_("No-show desk"),
    Role.COLLECT_DESK: N_("Collect-on-behalf desk"),
    Role.FINANCE: N_("Finance"),
    Role.HOTEL_RESOURCES: N_("Hotel resources"),
    Role.RESOURCES_DIRECTOR: N_("Hotel resources director"),
    Role.CUSTOMER_SERVICE: N_("Customer service"),
    Role.GENERAL_MANAGER: N_("General manager"),
    Role.ADMIN: N_("Administrator"),
}


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
    # Each person lands on the first desk of theirs in this order (issue 15).
    Desk("gateway", N_("Staff accounts"), "/admin/staff", _roles(Role.ADMIN)),
    Desk(
        "contracts",
        N_("Contract approvals"),
        "/contracts/approvals",
        _roles(Role.RESOURCES_DIRECTOR),
    ),
    Desk("intake", N_("Bookings"), "/intake/", _roles(Role.AGENT, Role.TEAM_LEAD)),
    Desk("intake", N_("Group bookings"), "/intake/groups", _roles(Role.AGENT, Role.TEAM_LEAD)),
    Desk("intake", N_("Shift handover"), "/intake/handover", _roles(Role.AGENT, Role.TEAM_LEAD)),
    Desk(
        "intake", N_("Agents' record"), "/intake/team", _roles(Role.TEAM_LEAD, Role.ADMIN)
    ),  # IN-12
    Desk(
        "intake",
        N_("Special prices"),  # IN-11: the pricing desk approves what agents ask
        "/intake/special-prices",
        _roles(Role.HOTEL_RESOURCES, Role.RESOURCES_DIRECTOR),
    ),
    Desk(
        "confirmation", N_("Confirmation queue"), "/confirmation/", _roles(Role.CONFIRMATION_DESK)
    ),
    Desk(
        "contracts",
        N_("Hotel resources"),
        "/contracts/",
        _roles(Role.HOTEL_RESOURCES, Role.RESOURCES_DIRECTOR),
    ),
    Desk("noshow", N_("No-show desk"), "/noshow/", _roles(Role.NOSHOW_DESK, Role.TEAM_LEAD)),
    Desk(
        "payments",
        N_("Collect-on-behalf & finance"),
        "/payments/",
        _roles(Role.COLLECT_DESK, Role.FINANCE, Role.TEAM_LEAD),
    ),
    Desk("members", N_("Members & complaints"), "/members/", _roles(Role.CUSTOMER_SERVICE)),
    # Before free-room approvals: the general manager's daily desk is the service levels.
    Desk("metrics", N_("Service levels"), "/sla/", _roles(Role.GENERAL_MANAGER, Role.TEAM_LEAD)),
    Desk(
        "contracts",
        N_("Free-room approvals"),
        "/contracts/free-rooms",
        _roles(Role.GENERAL_MANAGER),
    ),
    # CS-2: the general manager approves rewards (maker-checker); CS-3: complaint summaries.
    Desk(
        "members",
        N_("Reward approvals"),
        "/members/rewards/approvals",
        _roles(Role.GENERAL_MANAGER),
    ),
    Desk(
        "members",
        N_("Complaint summaries"),
        "/members/complaints/summary",
        _roles(Role.GENERAL_MANAGER),
    ),
    # NS-4, NS-7: the bookers' suggestions and the no-show rates reach the general manager.
    Desk("noshow", N_("No-show reports"), "/noshow/reports", _roles(Role.GENERAL_MANAGER)),
    Desk("noshow", N_("Bookers' suggestions"), "/noshow/suggestions", _roles(Role.GENERAL_MANAGER)),
    # Issue 15: telephony extensions named as the staff who answer on them.
    Desk("metrics", N_("Telephony agents"), "/sla/admin/agents", _roles(Role.ADMIN)),
    # IN-7: every desk a memo can be routed to, plus those who raise and oversee them; last,
    # so each person's own desk comes first in the menu.
    Desk("intake", N_("Internal memos"), "/intake/memos", frozenset(Role) - {Role.ADMIN}),
)


def desks_for(staff: Staff | None) -> list[Desk]:
    if staff is None:
        return []
    return [desk for desk in DESKS if staff.has_any(desk.roles)]


def landing_path(staff: Staff) -> str:
    """Where a person lands after logging in: their first desk (the shell when they have none)."""
    desks = desks_for(staff)
    return desks[0].path if desks else "/"
