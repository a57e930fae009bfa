# Observatory — the two commands of the README, plus the benchmarks and the chores.
# Everything is installed inside the checkout (.venv); nothing global, no sudo.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two locks from one resolution: requirements/lock.txt, what the site runs on (make install, make
# demo); requirements/dev-lock.txt, that plus the test and benchmark tools (make dev, make test,
# make bench). Each install syncs the venv to exactly one of them (uv pip sync removes the rest).
STAMP := $(VENV)/.installed-runtime-$(shell cat requirements/lock.txt requirements/bootstrap.txt pyproject.toml | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements/dev-lock.txt requirements/bootstrap.txt pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test bench install dev lint check lock audit clean

DEMO_ADDR ?= 127.0.0.1:8000

demo: install ## set up everything and serve the demo at http://127.0.0.1:8000
	$(BIN)/observatory demo --addrport $(DEMO_ADDR)

test: dev ## run the whole test suite (DATABASE_URL chooses the database; SQLite by default)
	$(BIN)/pytest -n auto --dist loadfile

bench: dev ## run the benchmarks and write docs/benchmarks.md
	$(BIN)/python -m bench

install: $(STAMP) ## the production install: the site's own dependencies only

dev: $(DEV_STAMP) ## the development install: also the test, lint and benchmark tools

define venv_sync
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Observatory needs Python 3.11 or newer; found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/bootstrap.txt
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python $(1)
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@
endef

$(STAMP):
	$(call venv_sync,requirements/lock.txt)

$(DEV_STAMP):
	$(call venv_sync,requirements/dev-lock.txt)

lint: dev ## ruff, Django's checks (development settings), missing migrations and the import contracts
	$(BIN)/ruff check .
	DEBUG=true $(BIN)/python manage.py check
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports --no-cache

# pip-audit reads the advisories PyPI publishes beside each release. Where PyPI's JSON API cannot be
# reached per release (a mirror that serves only the index and the latest release, as here), pip-audit
# would skip every package and still say "no known vulnerabilities": the probe says so instead.
ADVISORIES := https://pypi.org/pypi/django/5.2/json

audit: dev ## check every locked dependency against PyPI's vulnerability advisories
	@if $(BIN)/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=15)' $(ADVISORIES) 2>/dev/null; then \
		$(BIN)/pip-audit --strict --disable-pip --progress-spinner off -r requirements/dev-lock.txt; \
	else \
		echo "Vulnerability check skipped: PyPI's advisory API ($(ADVISORIES)) cannot be reached from here."; \
	fi

lock: ## re-resolve both locks after editing pyproject.toml (the runtime one within the development one)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -q -o requirements/dev-lock.txt
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -q -c requirements/dev-lock.txt \
		-o requirements/lock.txt

clean:
	rm -rf var/static build
