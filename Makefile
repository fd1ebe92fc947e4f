# DigiHelse: `make run` serves the app with demo data; `make test` runs every test.
# Each step leaves a stamp, so a second run skips what is already done.

SHELL := /bin/bash
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BUN_VERSION := 1.4.4
BUN := .tools/node_modules/.bin/bun
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export PATH := $(CURDIR)/.tools/node_modules/.bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export PORT

.PHONY: run cluster dev test unit e2e lint bootstrap db chromium postgres redis bench clean messages

run: bootstrap db ## Run the app at http://localhost:$(PORT) on SQLite with demo data
	$(VENV)/bin/reflex run --env prod --single-port --backend-port $(PORT)

# PostgreSQL + Redis + GRANIAN_WORKERS app workers (default 2), data in data/cluster/;
# DATABASE_URL / REFLEX_REDIS_URL point it at servers elsewhere (devtools/.../cluster.py).
cluster: bootstrap postgres redis ## Scaled out on one machine at http://localhost:$(PORT)
	$(PY) -m digihelse_dev.cluster

dev: bootstrap db ## Hot-reload development server (frontend :3000, backend :$(PORT))
	DIGIHELSE_DEV=1 $(VENV)/bin/reflex run --env dev --backend-port $(PORT)

test: bootstrap chromium postgres redis lint unit e2e ## Every test, as CI runs them

unit: bootstrap postgres redis
	$(VENV)/bin/pytest tests -q

e2e: bootstrap chromium postgres redis
	$(VENV)/bin/pytest e2e -q

lint: bootstrap
	$(VENV)/bin/ruff check .

# The translations: gettext catalogs in digihelse/core/i18n/locales, read straight from the
# .po files at start (no compiled .mo to build or commit). After changing texts in code:
# extract them, merge into every language's .po, then translate what is new (the unit test
# tests/test_i18n.py fails until every message is translated and none is unused).
BABEL_KEYWORDS := -k t -k T -k tn:1,1 -k P_:1c,2
LOCALES := digihelse/core/i18n/locales
messages: bootstrap
	$(VENV)/bin/pybabel -q extract -F babel.cfg --no-default-keywords $(BABEL_KEYWORDS) \
	  --sort-output --no-location --project DigiHelse -o $(LOCALES)/messages.pot digihelse devtools
	$(VENV)/bin/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) --no-fuzzy-matching \
	  --ignore-obsolete --width 96
	rm $(LOCALES)/messages.pot
	# Babel writes template placeholders (EMAIL@ADDRESS) into the headers; they say nothing.
	sed -i '/EMAIL@ADDRESS\|LL@li.org/d' $(LOCALES)/*/LC_MESSAGES/messages.po

bench: bootstrap
	$(PY) bench/booking.py

bootstrap: $(VENV)/.installed $(BUN)

db: bootstrap
	$(PY) -m digihelse.cli bootstrap

$(VENV)/.installed: pyproject.toml devtools/pyproject.toml
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]' -e ./devtools
	touch $@

$(BUN):
	npm install --prefix .tools --no-audit --no-fund --loglevel=error bun@$(BUN_VERSION)
	$(BUN) --version

chromium: $(CHROMIUM)

# Tests marked `postgres` also run on a throwaway PostgreSQL server (tests/postgres.py);
# only the server binaries are needed, no running service.
postgres:
	@if [ -z "$$DIGIHELSE_TEST_POSTGRES_URL" ] && ! command -v initdb >/dev/null \
	    && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql; \
	fi

# The multi-worker login test starts its own throwaway redis-server on loopback.
redis:
	@command -v redis-server >/dev/null || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq redis-server; }

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver

clean:
	rm -rf .web .states e2e/artifacts .pytest_cache
