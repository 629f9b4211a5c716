# Agora: `make run` serves the demo forum, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint serve clean bench messages

# Translations: each language's .po (kept in git) compiled to the .mo Flask-Babel reads.
PO := $(wildcard forum/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Agora needs Python 3.11 or newer (set PYTHON=python3.x)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

run: $(VENV)/.installed $(MO)
	$(FLASK) db upgrade
	$(FLASK) forum seed-demo
	@echo "Agora is at http://$(HOST):$(PORT)  (Ctrl+C stops it)"
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: $(VENV)/.installed $(MO)
	$(FLASK) db upgrade
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) wsgi:app

# One pytest-xdist worker per core (PYTEST_WORKERS=0 runs in this process); tests that share a
# server or a seeded database are grouped onto one worker (xdist_group markers). Test files
# (SQLite databases, search indexes) go to a RAM disk when there is one: no waiting on fsync.
PYTEST_WORKERS ?= auto
TEST_TMPDIR ?= $(shell [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm)

test: $(VENV)/.installed-test $(MO)
	$(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR)) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) \
		--dist loadgroup $(PYTEST_ARGS)

# Page benchmark on a scratch instance in /tmp/agora-bench (BENCH_ARGS="--posts 1000000 …").
bench: $(VENV)/.installed $(MO)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

# After changing texts: extract them again and merge them into every language's catalog.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 --add-location=file \
		--sort-output --width 100 -o forum/translations/messages.pot .
	$(BIN)/pybabel update --width 100 --no-fuzzy-matching --ignore-obsolete -i forum/translations/messages.pot \
		-d forum/translations

clean:
	rm -rf $(VENV) .pytest_cache
