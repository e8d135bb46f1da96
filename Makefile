# Two commands on a fresh machine: `make serve` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000

.PHONY: install install-dev serve test lint bench client mutation

$(VENV)/.runtime: requirements.txt
	python3 -m venv $(VENV)
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(PIP) install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

## Bring the schema up (release phase) and serve on http://127.0.0.1:$(PORT) with gunicorn.
serve: $(VENV)/.runtime
	$(VENV)/bin/flask db-ensure
	$(PY) -m quantum.serve wsgi:app -c gunicorn.conf.py --bind 127.0.0.1:$(PORT)

## Run the whole suite against SQLite and the PostgreSQL server (TEST_POSTGRES_URL).
test: $(VENV)/.dev
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

## The Python client: write docs/openapi.json from the code, then generate clients/python/ from it (never hand-edit).
## The generator formats its output with ruff, found on PATH.
CLIENT_DIR ?= clients/python
client: $(VENV)/.dev
	$(VENV)/bin/flask openapi write
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/openapi-python-client generate --path docs/openapi.json \
		--config clients/openapi-python-client.yaml --meta setup --output-path $(CLIENT_DIR) --overwrite --fail-on-warning

## Benchmarks (not tests): seed or reuse a dataset, gunicorn + wrk at 100 connections; docs/PERFORMANCE.md.
BACKEND ?= sqlite
DURATION ?= 60
bench: $(VENV)/.dev
	$(PY) bench/run.py --backend $(BACKEND) --duration $(DURATION) $(BENCH_ARGS)

## Mutation testing (mutmut) of the money, auth and schema-engine modules: a score per module, the survivors.
## GROUPS picks some of trading transactions portfolio auth drift gate; docs/testing.md has the scores and targets.
GROUPS ?=
mutation: $(VENV)/.dev
	$(PY) tools/mutation.py $(GROUPS) $(MUTATION_ARGS)
