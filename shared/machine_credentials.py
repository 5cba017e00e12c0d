"""Machine credentials: how another system (a channel manager, a hotel's night-audit feed)
calls our API with HTTP Basic instead of a person's session.

Each service keeps its credentials in a table of its own schema (a service never reads
another's tables), built from ``CredentialColumns`` and ``live_name_index``; the migration
creates it with ``credential_table_ddl``. What is shared lives here:

- the secret is generated (``new_secret``), shown once and kept only as an argon2 hash
  (``hash_secret``, as for staff passwords), hashed and checked off the event loop;
- checking a secret for an unknown name takes as long as a wrong secret for a known one
  (``verify_secret`` against a decoy hash), so response times do not tell which names exist;
- a revoked credential keeps its row (the audit trail names it) and frees its name;
- ``parse_basic`` reads an ``Authorization: Basic`` header; ``authenticate`` finds the live
  credential of a name and checks its secret;
- ``scope_of``: the hotels a credential may touch (None: all).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
import secrets
import uuid
from datetime import datetime
from functools import cache
from typing import TypeVar

from sqlalchemy import ARRAY, DateTime, Index, String, Text, Uuid, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from shared.auth import hash_password, verify_password

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$"  # no ":" (HTTP Basic splits on it)
NAME_LENGTH = 40
ACTOR_LENGTH = 80


class CredentialColumns:
    """The columns every machine credential has (a declarative mixin); the table adds its
    primary key. ``hotel_ids`` is the scope unless ``all_hotels``."""

    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    secret_hash: Mapped[str] = mapped_column(Text)
    all_hotels: Mapped[bool]
    hotel_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), default=list)
    created_by: Mapped[str] = mapped_column(String(ACTOR_LENGTH))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(ACTOR_LENGTH), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


def live_name_index(table: str) -> Index:
    """The name is the HTTP Basic user name: unique among live credentials only."""
    return Index(
        f"{table}_live_name",
        text("lower(name)"),
        unique=True,
        postgresql_where=text("revoked_at IS NULL"),
    )


def credential_table_ddl(schema: str, table: str, id_column: str) -> list[str]:
    """The statements a migration runs to create a credentials table (``CredentialColumns``,
    the primary key ``id_column`` and ``live_name_index``)."""
    return [
        f"""CREATE TABLE {schema}.{table} (
            {id_column} uuid PRIMARY KEY,
            name varchar({NAME_LENGTH}) NOT NULL,
            secret_hash text NOT NULL,
            all_hotels boolean NOT NULL,
            hotel_ids uuid[] NOT NULL DEFAULT '{{}}',
            created_by varchar({ACTOR_LENGTH}) NOT NULL,
            created_at timestamptz NOT NULL,
            revoked_by varchar({ACTOR_LENGTH}),
            revoked_at timestamptz,
            CHECK (all_hotels OR cardinality(hotel_ids) > 0)
        )""",
        f"CREATE UNIQUE INDEX {table}_live_name ON {schema}.{table} (lower(name)) "
        "WHERE revoked_at IS NULL",
    ]


C = TypeVar("C", bound=CredentialColumns)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


async def hash_secret(secret: str) -> str:
    # argon2 takes tens of milliseconds of CPU: off the event loop.
    return await asyncio.to_thread(hash_password, secret)


@cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


async def verify_secret(secret_hash: str | None, secret: str) -> bool:
    """Whether ``secret`` matches; with no hash (unknown name) a decoy is checked, as slowly."""
    if secret_hash is None:
        await asyncio.to_thread(verify_password, _decoy_hash(), secret)
        return False
    return await asyncio.to_thread(verify_password, secret_hash, secret)


def parse_basic(header: str) -> tuple[str, str] | None:
    """(name, secret) of an ``Authorization: Basic`` header; None when it is not one."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    name, colon, secret = decoded.partition(":")
    return (name, secret) if colon else None


async def live(session: AsyncSession, model: type[C], name: str) -> C | None:
    """The live (not revoked) credential named ``name``, case-insensitively."""
    query = select(model).where(func.lower(model.name) == name.lower(), model.revoked_at.is_(None))
    return await session.scalar(query)


async def authenticate(
    session: AsyncSession, model: type[C], *, name: str, secret: str
) -> C | None:
    """The live credential named ``name`` if ``secret`` is its secret, else None."""
    found = await live(session, model, name) if re.fullmatch(NAME_PATTERN, name) else None
    matches = await verify_secret(found.secret_hash if found else None, secret)
    return found if matches else None


def scope_of(credential: CredentialColumns) -> frozenset[uuid.UUID] | None:
    """The hotels the credential may touch; None for all."""
    return None if credential.all_hotels else frozenset(credential.hotel_ids)
