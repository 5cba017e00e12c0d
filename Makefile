# roomline: `make run` starts everything with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test fuzz lint fmt reset deps browser-deps bench-deps venv bench lock

# Installs exactly the locked versions (hash-checked), then roomline itself without resolving.
$(STAMP): pyproject.toml requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "roomline needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r requirements-dev.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

# Re-resolve the locks from pyproject.toml. Existing pins are kept unless asked:
# `make lock LOCK_ARGS=--upgrade` (everything) or `LOCK_ARGS="--upgrade-package fastapi"`.
LOCKENV := .local/lockenv
PIP_COMPILE := $(LOCKENV)/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock: export CUSTOM_COMPILE_COMMAND = make lock
lock:
	test -x $(LOCKENV)/bin/pip-compile || \
		{ $(PYTHON) -m venv $(LOCKENV) && $(LOCKENV)/bin/pip install -q pip-tools; }
	$(PIP_COMPILE) -o requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev -c requirements.lock -o requirements-dev.lock pyproject.toml

venv: $(STAMP)

# PostgreSQL and Redis server binaries for the embedded default (Debian packages).
deps:
	@bash ops/local/ensure-packages.sh servers

browser-deps:
	@bash ops/local/ensure-packages.sh browser

# wrk, the HTTP load generator of bench/booking.py and bench/search.py.
bench-deps:
	@bash ops/local/ensure-packages.sh bench

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

# The API fuzz test alone (also part of `make test`); longer by hand, see the README:
# `ROOMLINE_FUZZ_EXAMPLES=500 ROOMLINE_FUZZ_SEED=$$RANDOM make fuzz`.
fuzz: venv deps
	$(VENV)/bin/pytest -p no:randomly tests/fuzz $(PYTEST_ARGS)

reset:
	rm -rf .local

bench: venv deps bench-deps
	$(PY) -m bench.booking
	$(PY) -m bench.events
	$(PY) -m bench.rates_import
	$(PY) -m bench.search
	$(PY) -m bench.queue_log
	$(PY) -m bench.ledger
