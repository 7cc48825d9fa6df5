# Dispute engine: `make run` starts the embedded stack (PostgreSQL, Temporal dev server, worker)
# under .data/ and loads the samples; `make stop` stops it and keeps the data.
#
#   make install      create .venv (Python 3.11) and install the project with its dev tools
#   make run          install, start the stack, load samples/, print where to look
#   make stop         stop worker, Temporal and PostgreSQL; all data stays in .data/
#   make test         check the layer contract (lint-imports, see pyproject.toml), then run the
#                     test suite (PYTEST_ARGS='-k ladder -x' to pass options), then its
#                     calendar-sensitive tests on each weekday and 31 December; installs
#                     Debian's chromium and fonts-noto-cjk for the browser tests when they are
#                     missing (apt, as root)
#   make lint         ruff check + ruff format --check
#   make texts        add the code's new messages to texts/locale/*/LC_MESSAGES/*.po (then
#                     translate the empty ones; `make test` fails on an untranslated message)
#   make clean-data   stop the stack, then DELETE .data/ (all cases, history, database): no prompt
#
# DISPUTE_DATA_DIR moves .data/; DATABASE_URL / TEMPORAL_ADDRESS use your own servers instead.

VENV := .venv
PY := $(VENV)/bin/python
PYTHON311 := $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
PYTEST_ARGS ?=
DATA_DIR := $(or $(DISPUTE_DATA_DIR),.data)

.PHONY: install run stop test lint clean-data chromium texts

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON311)" || { echo "error: python3.11 not found" >&2; exit 1; }
	@$(PYTHON311) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "error: need Python 3.11, $(PYTHON311) is " + sys.version.split()[0])'
	$(PYTHON311) -m venv $(VENV)
	$(VENV)/bin/pip install -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# `starter.py intake` exits 1 when some records were rejected: that is not a failure here
# (a second `make run` reports every case as `duplicate` and exits 0); 2 (an unreadable file,
# an unreachable server, an unexpected error) still is.
run: install
	$(PY) stack.py up
	$(PY) starter.py schedules
	$(PY) starter.py duties schedule
	$(PY) starter.py roster load samples/roster.csv
	$(PY) starter.py departments load samples/departments.csv
	$(PY) starter.py intake samples/cases.jsonl || [ $$? -eq 1 ]
	$(PY) starter.py intake samples/cases.csv || [ $$? -eq 1 ]
	@$(PY) stack.py hint

stop:
	@if [ -x $(PY) ]; then $(PY) stack.py down; else echo "no $(VENV): nothing runs"; fi

# Temporary folders under .tmp/: two checkouts testing at once on one machine never clean up
# each other's servers' folders (pytest removes all but the newest few of its own).
# Then the calendar-sensitive tests once more on each of the next seven days and on 31 December
# (tests/calendar_days.py), so no test passes only on the day CI happens to run;
# CALENDAR_DAYS=0 skips that while you work.
CALENDAR_DAYS ?= 1
test: install chromium
	$(VENV)/bin/lint-imports
	@mkdir -p .tmp
	PYTEST_DEBUG_TEMPROOT=$(CURDIR)/.tmp $(PY) -m pytest $(PYTEST_ARGS)
	@if [ "$(CALENDAR_DAYS)" != 0 ]; then PYTEST_DEBUG_TEMPROOT=$(CURDIR)/.tmp $(PY) -m tests.calendar_days; fi

# The browser test drives Debian's chromium (never a browser downloaded by Playwright); its
# pages' screenshots need a CJK font (the HTML report embeds its own, the API pages do not).
chromium:
	@test -x /usr/bin/chromium || { apt-get update && apt-get install -y chromium; }
	@test -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc || { apt-get update && apt-get install -y fonts-noto-cjk; }

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

texts: install
	$(PY) -m texts.catalogs update

# DELETES ALL DATA without asking: every case, its Temporal history, the PostgreSQL database.
clean-data: stop
	@echo "deleting $(DATA_DIR): all cases, their Temporal history and the PostgreSQL database"
	rm -rf "$(DATA_DIR)"
