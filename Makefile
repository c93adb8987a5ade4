# Two commands: `make run` (the app with demo data on SQLite) and `make test` (the whole suite).
# Each sets up its own virtual environment on a machine that has Python 3.11 or newer.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
CASES  ?= 2000
JOBS   ?= 2

.PHONY: run test lint translations clean help

help:
	@echo "make run    - set up, create demo data and serve http://$(HOST):$(PORT)"
	@echo "make test   - set up and run the whole test suite (and the linter)"

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (python3.11, python3.12 ...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

run: $(BIN)/.installed
	$(BIN)/complaints init
	$(BIN)/complaints demo --if-empty --cases $(CASES)
	@echo ""
	@echo "  ทะเบียนเรื่องลับ เรื่องร้องเรียน is starting at  http://$(HOST):$(PORT)/login"
	@echo "  sign in with one of the demo accounts listed above. Stop with Ctrl+C."
	@echo ""
	$(BIN)/complaints run --host $(HOST) --port $(PORT)

test: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(JOBS)

translations: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o complaints/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i complaints/translations/messages.pot -d complaints/translations -l en --no-fuzzy-matching
	$(BIN)/pybabel compile -d complaints/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
