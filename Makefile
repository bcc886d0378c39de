# Newsroom: `make run` sets everything up and serves the site; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
ADDR ?= 127.0.0.1:8000
SEED_BUILD_DB := $(CURDIR)/.seed-build.sqlite3

.PHONY: install run test lint fixtures clean bench faults

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_site
	$(PY) manage.py runserver $(ADDR)

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

# Rebuild fixtures/seed.json from fixtures/source/ in a throwaway SQLite database.
fixtures: install
	rm -f $(SEED_BUILD_DB)
	DATABASE_URL=sqlite:///$(SEED_BUILD_DB) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=sqlite:///$(SEED_BUILD_DB) $(PY) manage.py build_seed_fixture
	rm -f $(SEED_BUILD_DB)

# The benchmark (bench/README.md): PostgreSQL database newsroom_bench, Redis, gunicorn on 127.0.0.1.
# BENCH_ARGS="--peer DIR" (or BENCH_PEER=DIR) adds the comparison with a Wagtail peer site.
bench: install
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) -m bench.run $(BENCH_ARGS)

# PostgreSQL restart and Redis loss under load, on private servers it starts and removes.
faults: install
	$(PY) -m bench.faults

clean:
	rm -rf $(VENV) staticfiles .pytest_cache $(SEED_BUILD_DB)
