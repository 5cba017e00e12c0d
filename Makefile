# roomline: `make run` starts everything with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint fmt reset deps browser-deps venv bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "roomline needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# PostgreSQL and Redis server binaries for the embedded default (Debian packages).
deps:
	@bash ops/local/ensure-packages.sh servers

browser-deps:
	@bash ops/local/ensure-packages.sh browser

run: venv deps
	$(PY) -m workers.local $(ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy shared services workers

fmt: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: venv deps browser-deps lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

reset:
	rm -rf .local

bench: venv deps
	$(PY) -m bench.booking
	$(PY) -m bench.events
	$(PY) -m bench.rates_import
	$(PY) -m bench.search
	$(PY) -m bench.queue_log
