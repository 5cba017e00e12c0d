"""The install is the lock (issue 13): `make` installs requirements-dev.lock with hashes, so
the environment the tests run in holds exactly the locked versions and nothing unlocked."""

from __future__ import annotations

import re
from importlib.metadata import distributions
from pathlib import Path

from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", re.MULTILINE)
# Installed by venv or pip itself, or roomline (installed from the checkout, not the lock).
NOT_LOCKED = {"pip", "setuptools", "wheel", "roomline"}


def locked(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text()
    return {canonicalize_name(n): v for n, v in PIN.findall(text)}


def installed() -> dict[str, str]:
    return {canonicalize_name(d.metadata["Name"]): d.version for d in distributions()}


def test_every_locked_package_is_installed_at_its_locked_version() -> None:
    have = installed()
    wrong = {n: (v, have.get(n)) for n, v in locked("requirements-dev.lock").items()}
    assert {n: pair for n, pair in wrong.items() if pair[0] != pair[1]} == {}


def test_nothing_is_installed_that_the_lock_does_not_name() -> None:
    extra = set(installed()) - set(locked("requirements-dev.lock")) - NOT_LOCKED
    assert extra == set()


def test_the_dev_lock_pins_the_runtime_lock_versions() -> None:
    runtime, dev = locked("requirements.lock"), locked("requirements-dev.lock")
    assert {n: (v, dev.get(n)) for n, v in runtime.items() if dev.get(n) != v} == {}
