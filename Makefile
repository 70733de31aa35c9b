# The two commands a newcomer needs:
#   make run    serve the portal with a demo archive on http://127.0.0.1:5000
#   make test   run the whole test suite (SQLite, and PostgreSQL when it answers)
# Each does its own set-up: virtual environment, dependencies, translations, migrations.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
REQS_HASH := $(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-10)
STAMP := $(VENV)/.installed-$(REQS_HASH)
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in mails point at the address served here (the web server, the worker and the CLI alike).
PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test setup translations i18n-extract clean-instance

setup: $(STAMP) translations

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

# Compiled catalogues (.mo) are build output, not source: made from the .po files.
translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d portal/translations

# Maintainers: collect new strings and merge them into each catalogue.
i18n-extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o portal/translations/messages.pot portal
	$(BIN)/pybabel update -N --no-wrap --ignore-obsolete -i portal/translations/messages.pot -d portal/translations

# The job worker (reading copies, search index, housekeeping) runs beside the web server;
# Ctrl-C stops both.
run: export PUBLIC_BASE_URL := $(PUBLIC_BASE_URL)
run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	@$(BIN)/python -c "from watermark.ocr import unavailable_reason as r; import sys; sys.exit(1 if r() else 0)" \
	  || echo "Scanned pages are not read (OCR) until Tesseract is installed: sudo apt-get install tesseract-ocr tesseract-ocr-vie"
	$(BIN)/flask ocr queue-missing
	@$(BIN)/flask jobs worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

clean-instance:
	rm -rf instance

# The search benchmark (issue 5): generated files searched with Whoosh and with SQLite FTS5.
# 100,000 files take about 10 minutes on 2 cores; BENCH_ARGS="--files 5000" for a quick run.
.PHONY: bench-search
bench-search: $(STAMP)
	$(BIN)/python -m bench.search.run $(BENCH_ARGS)
