# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# Printed and emailed links follow the port served, unless SCREENING_BASE_URL says otherwise.
SCREENING_BASE_URL ?= http://127.0.0.1:$(PORT)
export SCREENING_BASE_URL
FLASK := $(BIN)/flask --app screening.app

.PHONY: run test install setup lint bench clean

# Re-install only when the project's dependencies change.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

setup: install
	$(FLASK) setup

# A background worker beside the dev server (email, summary renders, scheduled work); it
# stops with the server. With no SMTP server configured nothing is sent anywhere.
run: setup
	@$(FLASK) jobs worker --workers 1 & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install
	$(FLASK) bank check
	$(BIN)/pytest -m "not browser" -n auto $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check screening tests bench wsgi.py migrations

bench: install
	$(BIN)/python bench/score.py

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
