# The two commands of the README: `make run` and `make test`. Everything they need is installed
# here, so a new machine (and CI's clean checkout) needs nothing done by hand.
SHELL := /bin/bash
PORT ?= 8000
# uv from PATH, or else the one `make uv` installs into this Python. The interpreter is named
# by its absolute path: inside `uv run` a bare `python3` is the project's venv, which has no uv.
PYTHON3 := $(shell command -v python3)
UV := $(shell command -v uv 2>/dev/null || echo $(PYTHON3) -m uv)
export UV_LINK_MODE := copy

.PHONY: run test worker bench lint deps assets uv system-deps migrate demo

uv:
	@command -v uv >/dev/null 2>&1 || $(PYTHON3) -m uv --version >/dev/null 2>&1 \
		|| $(PYTHON3) -m pip install --quiet --disable-pip-version-check uv

deps: uv
	@$(UV) sync --frozen --quiet
	@mkdir -p var/static

assets:
	@test -f node_modules/.package-lock.json && test node_modules/.package-lock.json -nt package-lock.json \
		|| npm ci --no-audit --no-fund --loglevel=error

# PostgreSQL, Redis, Chromium and gettext for the test suite: installed from Debian's packages when
# absent.
system-deps:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	{ command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || missing="$$missing postgresql"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	command -v xgettext >/dev/null 2>&1 || missing="$$missing gettext"; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

migrate: deps assets
	@mkdir -p var
	@$(UV) run python manage.py migrate --noinput -v 0

demo: migrate
	@$(UV) run python manage.py seed_demo

# Links in e-mails point at SITE_URL: by default the address `make run` serves on.
SITE_URL ?= http://127.0.0.1:$(PORT)
run: demo
	@echo "Portal: http://127.0.0.1:$(PORT)/  (stop with Ctrl-C)"
	@SITE_URL=$(SITE_URL) $(UV) run python manage.py runserver 127.0.0.1:$(PORT)

# PostgreSQL + Redis deployments run a Celery worker with the beat schedule (outbox sweep,
# auto-close) next to the web process.
worker: deps
	@$(UV) run celery -A config worker -B --loglevel=INFO

lint: deps
	@$(UV) run ruff check .
	@$(UV) run python manage.py makemigrations --check --dry-run -v 0

# The suite also checks the import layers (tests/test_layers.py) and runs this Makefile's `uv`
# and `deps` on a Python without uv (tests/test_fresh_machine.py).
test: system-deps deps assets
	@$(MAKE) --no-print-directory lint
	@$(UV) run python scripts/testenv.py -- $(UV) run pytest $(PYTEST_ARGS)

# Every bench/*.py (not the shared bench/_*.py) on throw-away PostgreSQL and Redis. Each prints its
# table and appends one JSON line per measure to bench/results/latest.jsonl, emptied first so that
# it holds this run's figures. `make test` runs each one short (BENCH_QUICK=1, tests/bench).
bench: system-deps deps assets
	@mkdir -p bench/results && : > bench/results/latest.jsonl
	@$(UV) run python scripts/testenv.py -- bash -c 'rc=0; for b in bench/[!_]*.py; do echo "== $$b"; $(UV) run python $$b || rc=1; done; exit $$rc'
	@echo "Results: bench/results/latest.jsonl"
