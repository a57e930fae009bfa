# Observatory — the two commands of the README, plus the benchmarks and the chores.
# Everything is installed inside the checkout (.venv); nothing global, no sudo.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/lock.txt requirements/bootstrap.txt pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test bench install lint check lock clean

DEMO_ADDR ?= 127.0.0.1:8000

demo: install ## set up everything and serve the demo at http://127.0.0.1:8000
	$(BIN)/observatory demo --addrport $(DEMO_ADDR)

test: install ## run the whole test suite (DATABASE_URL chooses the database; SQLite by default)
	$(BIN)/pytest -n auto --dist loadfile

bench: install ## run the benchmarks and write docs/benchmarks.md
	$(BIN)/python -m bench

install: $(STAMP)

$(STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Observatory needs Python 3.11 or newer; found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/bootstrap.txt
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements/lock.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

lint: install ## ruff, Django's checks, and missing migrations
	$(BIN)/ruff check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

lock: ## re-resolve the locked dependencies after editing pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -q -o requirements/lock.txt

clean:
	rm -rf var/static build
