"""One service's arq worker: ``python -m workers.worker intake``."""

from __future__ import annotations

import sys

from arq.worker import Worker
from prometheus_client import start_http_server

from shared.config import get_settings
from workers.registry import worker_settings_factory


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        raise SystemExit("usage: python -m workers.worker SERVICE")
    if get_settings().metrics_port:
        start_http_server(get_settings().metrics_port)
    settings = worker_settings_factory(argv[0])()
    settings["handle_signals"] = True
    Worker(**settings).run()  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv[1:])
