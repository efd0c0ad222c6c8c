# Leadwire — every target that needs the virtualenv depends on it, so a fresh
# clone needs only `make demo` or `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null)
PYTEST_ARGS ?=
QUEUE ?=
SCALE ?=

.PHONY: install infra lint typecheck test test-fast demo up down status scale compose-up compose-down config bench docs replay-dlq rotate-keys sandbox stack clean

install: $(VENV)/.installed

# uv gives a reproducible install from uv.lock; bootstrap it with pip if absent.
$(VENV)/.installed: uv.lock pyproject.toml libs/common/pyproject.toml services/*/pyproject.toml sandbox/pyproject.toml
	@if ! command -v uv >/dev/null 2>&1; then $(PYTHON) -m pip install --quiet --user uv || $(PYTHON) -m pip install --quiet uv; fi
	@UV=$$(command -v uv || echo $$HOME/.local/bin/uv); $$UV sync --frozen --all-packages --python $(PYTHON)
	@touch $@

# Postgres + RabbitMQ on this machine: start them if stopped, install if missing.
infra:
	@bash scripts/ensure-infra.sh

lint: install
	$(BIN)/ruff check libs services sandbox tests bench scripts
	$(BIN)/ruff format --check libs services sandbox tests bench scripts
	$(BIN)/mypy --strict libs/common/src/leadwire
	$(BIN)/mypy services/oauth/src services/ingest/src services/drafter/src services/sender/src services/notifier/src

typecheck: lint

test: install infra lint
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -n 2 -m "not integration and not e2e" $(PYTEST_ARGS)

demo: install
	@bash scripts/ensure-infra.sh --gateway
	$(BIN)/python scripts/demo.py

stack: install
	@bash scripts/ensure-infra.sh --gateway
	$(BIN)/python scripts/run_stack.py

sandbox: install
	$(BIN)/python -m sandbox --host 127.0.0.1 --port 8900 --cert-dir .run/sandbox

# The whole stack locally under honcho (deploy/Procfile): migrations, gateway, replicas.
up: install
	@bash scripts/ensure-infra.sh --gateway
	$(BIN)/python scripts/procs.py up --scale "$(SCALE)"

down: install
	$(BIN)/python scripts/procs.py down

status: install
	$(BIN)/python scripts/procs.py status

# `make scale SERVICE=ingest N=3`: restart the stack with N replicas of SERVICE.
scale: install
	@test -n "$(SERVICE)" -a -n "$(N)" || (echo "usage: make scale SERVICE=<service> N=<1..9>" && exit 2)
	$(BIN)/python scripts/procs.py down
	$(BIN)/python scripts/procs.py up --scale "$(SERVICE)=$(N)"

compose-up:
	docker-compose up -d --build

compose-down:
	docker-compose down

config:
	docker-compose config --quiet && echo "docker-compose.yml is valid"

bench: install infra
	$(BIN)/python bench/outbox_throughput.py
	$(BIN)/python bench/sandbox_bench.py

docs: install
	$(BIN)/python -m leadwire.asyncapi docs/asyncapi

replay-dlq: install
	@test -n "$(QUEUE)" || (echo "usage: make replay-dlq QUEUE=<service>.<purpose>" && exit 2)
	$(BIN)/python -m leadwire.replay_dlq $(QUEUE)

rotate-keys: install
	$(BIN)/python -m leadwire_oauth.rotate_keys

clean:
	rm -rf $(VENV) .run .pytest_cache .mypy_cache .ruff_cache
