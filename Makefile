# Camps de jour. The two commands of the README: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export VAR_DIR ?= $(CURDIR)/var
# The first of Python 3.13, 3.12, 3.11 that runs (a pyenv shim of an inactive version does not);
# override: make run PYTHON=python3.12.
PYTHON ?= $(firstword $(foreach v,3.13 3.12 3.11,$(shell python$(v) -c '' >/dev/null 2>&1 && echo python$(v))) python3)

.PHONY: run test install install-test checkers lint format messages stack-start stack-stop audit reset-demo

# pip and setuptools are upgraded first: the venv's bundled setuptools has known advisories.
$(VENV)/.run-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip setuptools
	$(PIP) install --quiet .
	touch $@

$(VENV)/.test-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip setuptools
	$(PIP) install --quiet ".[test]"
	touch $@ $(VENV)/.run-installed

install: $(VENV)/.run-installed
install-test: $(VENV)/.test-installed

# The Nu HTML Checker (vnu.jar, pinned in package-lock.json) for the HTML validity test, run
# with the machine's Java. Without npm the test skips and says so; CI installs npm and Java.
# --ignore-scripts: the package's install script would fetch a Java runtime; we use the system's.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

checkers:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory node_modules/.package-lock.json; \
	else echo "npm not found: the Nu HTML Checker test will be skipped"; fi

## Serve the portal on http://127.0.0.1:8000 on the embedded default (SQLite, Celery eager).
run: install
	mkdir -p $(VAR_DIR)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

## Forget the demo's data (SQLite database, emails written as files); `make run` rebuilds it.
reset-demo:
	rm -rf $(VAR_DIR)

## Whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set), then ruff.
test: install-test checkers
	$(VENV)/bin/pytest
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## The whole suite three times in a row beside two CPU-burning processes (flaky tests show
## up here); each run's result is printed, logs in var/under-load/.
.PHONY: test-under-load
test-under-load: install-test checkers
	scripts/suite_under_load.sh

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Refresh the gettext catalogues (then translate, then compile).
messages: install
	DEBUG=1 $(PY) manage.py makemessages -l fr -l en --ignore=.venv --ignore=staticfiles --ignore=tests
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

## Production layout on this machine (gunicorn + Celery worker + beat on PostgreSQL and Redis).
stack-start: install
	scripts/stack.sh start

stack-stop:
	scripts/stack.sh stop

## Time the public catalogue page with 300 groups on a throwaway database (median, p95).
## Uses DATABASE_URL when set (PostgreSQL: creates and drops bench_<name>), else SQLite in memory.
.PHONY: bench-catalogue
bench-catalogue: install-test
	$(PY) scripts/bench_catalogue.py

## Opening night: 5,000 families, 300 groups, the production layout (gunicorn + Celery) and
## 200 concurrent parents on loopback; prints throughput, p50/p95/p99, errors, ceiling ratio and
## an audit of the database. PostgreSQL and Redis from DATABASE_URL / REDIS_URL (throwaway
## database <name>_bench). `make bench BENCH_ARGS=--long` for the long run.
.PHONY: bench
bench: install-test
	$(PIP) install --quiet ".[bench]"
	$(PY) scripts/bench_opening_night.py $(BENCH_ARGS)

## Known vulnerabilities of the installed packages (pip-audit, which asks PyPI's advisory
## data); where that cannot be reached, the outdated packages (pip list --outdated) instead.
audit: install-test
	VENV=$(VENV) scripts/audit.sh
