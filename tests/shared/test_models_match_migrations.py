"""The tables the code defines are the tables the migrations build (STYLE: migrations).

For each service, Alembic's autogenerate compares the service's ``models.metadata`` plus the
shared kit tables of its schema (outbox, inbox, dead letters, aggregate versions, audit log)
with the schema the test run migrated. A column added to a model without a migration, a type
or nullability that differs, a missing index or foreign key: each is one line of the failure.
"""

from __future__ import annotations

import asyncio
import importlib
import re
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from migrations import SERVICES
from shared.audit import audit_table
from shared.events.outbox import (
    aggregate_version_table,
    dead_letter_table,
    inbox_table,
    outbox_table,
)
from tests.support.infra import INFRA


def _kit_tables(schema: str) -> list[Table]:
    return [
        factory(schema)
        for factory in (
            outbox_table,
            inbox_table,
            dead_letter_table,
            aggregate_version_table,
            audit_table,
        )
    ]


def service_metadata(service: str) -> MetaData:
    """All tables of ``service``: its models (the app imports every module that uses one)
    and the kit's, copied into one MetaData so a foreign key between them resolves."""
    importlib.import_module(f"services.{service}.app")
    models = importlib.import_module(f"services.{service}.models")
    combined = MetaData()
    for table in [*models.metadata.tables.values(), *_kit_tables(service)]:
        table.to_metadata(combined)
    return combined


def _only_schema(schema: str) -> Any:
    def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
        if type_ == "schema":
            return name == schema
        return parent_names.get("schema_name") == schema if type_ == "table" else True

    return include_name


def _diff(connection: Connection, service: str, metadata: MetaData) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "include_schemas": True,
            "include_name": _only_schema(service),
            "compare_type": True,
            # Server defaults are left out: the migrations write them as SQL text
            # (``DEFAULT now()``, ``'{}'::text[]``) and the models mostly set them in Python,
            # so comparing them reports spelling, not drift.
            "compare_server_default": False,
        },
    )
    _ignore_line_breaks_in_index_expressions(context)
    return list(compare_metadata(context, metadata))


def _ignore_line_breaks_in_index_expressions(context: MigrationContext) -> None:
    """PostgreSQL prints a CASE in an index (``booking_booker_phone_key``) over several lines;
    Alembic's cleanup drops spaces but not line breaks, so the same expression looked new."""
    impl: Any = context.impl
    cleanup = impl._cleanup_index_expr
    impl._cleanup_index_expr = lambda index, expr: re.sub(r"\s+", "", cleanup(index, expr))


async def _migrated_diff(service: str, metadata: MetaData) -> list[Any]:
    engine = create_async_engine(INFRA.database_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_diff, service, metadata)
    finally:
        await engine.dispose()


def _describe(diff: Any) -> str:
    """One line a person can act on: what the migrated database has versus the model."""
    if isinstance(diff, list):  # column changes come as a list of modify_* tuples
        return "; ".join(_describe(change) for change in diff)
    kind, *rest = diff
    if kind.startswith("modify_"):
        schema, table, column, _existing, in_db, in_model = rest
        return f"{kind} {schema}.{table}.{column}: database {in_db!r}, model {in_model!r}"
    if kind in ("add_column", "remove_column"):
        schema, table, column = rest
        return f"{kind} {schema}.{table}.{column.name} {column.type!r}"
    return f"{kind} {_name_of(rest[0])}"


def _name_of(item: Any) -> str:
    if isinstance(item, Table):
        return item.fullname
    table = getattr(item, "table", None)
    columns = ", ".join(str(c.name) for c in getattr(item, "columns", []))
    label = f"{type(item).__name__} {item.name or ''}".rstrip()
    return f"{label} on {table.fullname if table is not None else '?'} ({columns})"


def _readable(diffs: list[Any]) -> str:
    # "add_*" means the model has it and the migrations do not; "remove_*" the reverse.
    return "\n".join(f"  {_describe(diff)}" for diff in diffs)


@pytest.mark.parametrize("service", SERVICES)
def test_models_match_the_migrated_schema(service: str) -> None:
    metadata = service_metadata(service)
    diffs = asyncio.run(_migrated_diff(service, metadata))
    if diffs:
        pytest.fail(f"{service}: models and migrations differ:\n{_readable(diffs)}", pytrace=False)


@pytest.mark.parametrize("service", SERVICES)
def test_every_table_of_a_service_lives_in_its_schema(service: str) -> None:
    models = importlib.import_module(f"services.{service}.models")
    importlib.import_module(f"services.{service}.app")
    stray = [t.fullname for t in models.metadata.tables.values() if t.schema != service]
    assert not stray, f"{service}: tables outside the schema {stray}"
