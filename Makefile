# Two commands matter: `make demo` and `make test`. Both build what they need on a fresh machine.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
# Saleor needs Python 3.12; pyenv's shim may exist without a global 3.12, so try each candidate.
PYTHON312 ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { echo $$p; break; }; done)
SYSTEM_PACKAGES := libharfbuzz-subset0 fonts-dejavu-core fonts-wqy-microhei
# The dashboard pages' browser tests drive Debian's chromium (never a downloaded browser).
TEST_PACKAGES := chromium
DASHBOARD_BUILT := saypro_invoicing/static/saypro_invoicing/dashboard/index.html
PYTEST_ARGS ?=

.PHONY: demo test test-fast fuzz bench bench-quick system test-system services venv lint migrations clean frontend dist

demo: system venv frontend
	$(PY) -m saypro_invoicing.hosts.sandbox.demo --out demo-output

test: system test-system services venv frontend
	$(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)

# The fuzz suite at ten times the normal run's cases (>= 20,000), freshly random; prints counts by outcome.
fuzz: system services venv
	SAYPRO_FUZZ_SCALE=$${SAYPRO_FUZZ_SCALE:-10} $(PY) -m pytest -p no:cacheprovider -q tests/fuzz $(PYTEST_ARGS)

bench: system services venv
	$(PY) -m bench.run --out bench/results.json

bench-quick: system services venv
	$(PY) -m bench.run --quick --out bench/results-quick.json

# The dashboard pages (frontend/, React + @saleor/macaw-ui + @saleor/app-sdk), built with npm into the
# plugin's static folder; rebuilt when a source changes. The wheel ships the result: Saleor needs no Node.
frontend: $(DASHBOARD_BUILT)

$(DASHBOARD_BUILT): frontend/package.json frontend/package-lock.json frontend/build.mjs frontend/tsconfig.json $(wildcard frontend/src/*.ts* frontend/src/*.css frontend/src/*.html frontend/src/*/*.tsx)
	@command -v npm >/dev/null || { echo "Installing Debian packages: nodejs npm"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }
	cd frontend && npm ci --no-audit --no-fund && npm run build

# A wheel with the built dashboard pages in it; any packaging warning (setuptools' Python warnings) fails it.
dist: venv frontend
	@rm -rf dist build && mkdir -p dist
	$(PY) -m pip wheel --no-deps -v -w dist . > dist/build.log 2>&1 || { cat dist/build.log; exit 1; }
	@if grep -E "[A-Za-z]Warning:|^ *warning:" dist/build.log | grep -v "byte-compiling is disabled"; then \
		echo "make dist: packaging warnings (full log: dist/build.log)"; exit 1; fi
	@ls dist/*.whl

test-system:
	@$(MAKE) --no-print-directory system SYSTEM_PACKAGES="$(TEST_PACKAGES)"

# Debian packages WeasyPrint needs to be fast (harfbuzz subsetting) and to draw every script.
system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# PostgreSQL for the tests, Redis for the end-to-end worker tests: start them when they are not running.
services:
	@bash tools/services.sh

venv: $(VENV)/.installed

$(VENV)/.installed: setup.cfg constraints.txt pyproject.toml
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found (Saleor requires it): install it, e.g. pyenv install 3.12"; exit 1; }
	test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[test,demo,bench,dev,sms]'
	touch $@

# ruff on everything; mypy (with django-stubs, configured in setup.cfg [mypy]) on the package.
lint: venv
	$(VENV)/bin/ruff check saypro_invoicing tests bench
	$(VENV)/bin/mypy

migrations: venv
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) -m django makemigrations saypro_invoicing saypro_sandbox

clean:
	rm -rf $(VENV) demo-output build *.egg-info
