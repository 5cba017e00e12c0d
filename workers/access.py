"""Every service's role table (``services/<name>/access.py``) as the Markdown of docs/roles.md.

``python -m workers.access`` prints it, ``--write`` rewrites docs/roles.md, ``--check`` exits
1 when docs/roles.md is out of date. Here rather than in ``shared.access`` because the kit
knows no service; like ``workers.registry``, this composes them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from migrations import SERVICES
from shared.access import RouteRoles, render_all
from workers.registry import MOUNTS

DOC = Path(__file__).resolve().parents[1] / "docs" / "roles.md"


def service_tables() -> dict[str, RouteRoles]:
    """Each service's ``ROUTE_ROLES``, in the order of ``migrations.SERVICES``."""
    tables: dict[str, RouteRoles] = {}
    for name in SERVICES:
        module = importlib.import_module(f"services.{name}.access")
        tables[name] = module.ROUTE_ROLES
    return tables


def rendered() -> str:
    return render_all(service_tables(), MOUNTS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help=f"rewrite {DOC.name}")
    action.add_argument("--check", action="store_true", help=f"exit 1 if {DOC.name} is stale")
    args = parser.parse_args(argv)
    text = rendered()
    if args.write:
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
    elif args.check:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is out of date: run python -m workers.access --write", file=sys.stderr)
            return 1
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
