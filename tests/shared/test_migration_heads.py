"""One line of migrations per service (STYLE: migrations): a second head means two revisions
were written on the same parent, and the order they alter a table in is left to chance."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory

from migrations import SERVICES
from migrations.run import alembic_config


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_one_migration_head(service: str) -> None:
    scripts = ScriptDirectory.from_config(alembic_config(service, "postgresql://unused"))
    assert len(scripts.get_heads()) == 1, f"{service} has heads {scripts.get_heads()}"
