"""The fuzz run keeps one server, its users and their sessions for the whole module, so the
per-test emptying of tables and Redis (tests/conftest.py) is replaced by one at its start
(tests/fuzz/harness.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def clean_state() -> None:
    """Overrides the suite's: emptying Redis would end the fuzz users' sessions."""
