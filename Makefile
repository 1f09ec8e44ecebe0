# Two commands matter: `make demo` and `make test`. Both build what they need on a fresh machine.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
# Saleor needs Python 3.12; pyenv's shim may exist without a global 3.12, so try each candidate.
PYTHON312 ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { echo $$p; break; }; done)
SYSTEM_PACKAGES := libharfbuzz-subset0 fonts-dejavu-core fonts-wqy-microhei
PYTEST_ARGS ?=

.PHONY: demo test test-fast bench bench-quick system services venv lint migrations clean

demo: system venv
	$(PY) -m saypro_invoicing.hosts.sandbox.demo --out demo-output

test: system services venv
	$(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)

bench: system services venv
	$(PY) -m bench.run --out bench/results.json

bench-quick: system services venv
	$(PY) -m bench.run --quick --out bench/results-quick.json

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

lint: venv
	$(VENV)/bin/ruff check saypro_invoicing tests bench

migrations: venv
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) -m django makemigrations saypro_invoicing saypro_sandbox

clean:
	rm -rf $(VENV) demo-output build *.egg-info
