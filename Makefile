# Shopfloor — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 0.0.0.0
PORT   ?= 8000
FLASK  := $(BIN)/flask --app app

.PHONY: run test install vendor bench messages screenshots worker

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

PO := $(wildcard shopfloor/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

install: $(VENV)/.installed $(MO)

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@

# Refresh the message catalogue after changing user-facing strings.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _p:1c,2 -k _lp:1c,2 --ignore-dirs "node_modules instance .* ._" -o messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i messages.pot -d shopfloor/translations

# HTTP on PORT and HTTPS on 8443 with this machine's own certificate (instance/tls; SHOPFLOOR_TLS=0: HTTP only).
run: install
	$(FLASK) db upgrade
	$(FLASK) setup
	$(FLASK) seed-demo --if-empty
	$(FLASK) lan-certificate
	@$(FLASK) banner --port $(PORT)
	$(BIN)/python -m shopfloor.server --host $(HOST) --port $(PORT)

# The background worker alone (webhooks, kept figures: README "JSON API"); `make run` already starts one
# (SHOPFLOOR_WORKER=0: not).
worker: install
	$(FLASK) worker

# All tests on SQLite (TEST_DATABASE_URL removed from that run), then again on PostgreSQL when
# TEST_DATABASE_URL is set. SHOPFLOOR_TEST_EXPECT_DB makes a run connected elsewhere fail
# (tests/test_database.py). Both runs always run; the target fails if either does.
test: install
	@status=0; \
	echo "== tests on SQLite"; \
	env -u TEST_DATABASE_URL SHOPFLOOR_TEST_EXPECT_DB=sqlite $(BIN)/python -m pytest || status=1; \
	if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== tests on PostgreSQL"; \
	  SHOPFLOOR_TEST_EXPECT_DB=postgresql $(BIN)/python -m pytest || status=1; \
	else \
	  echo "== TEST_DATABASE_URL is not set: PostgreSQL not tested"; \
	fi; \
	exit $$status

# The README's "First day on the floor" pictures, taken by the suite's walk-through (tests/test_first_day.py).
screenshots: install
	env -u TEST_DATABASE_URL SHOPFLOOR_SCREENSHOTS=docs/first-day $(BIN)/python -m pytest -q tests/test_first_day.py

# Re-vendor front-end files from the npm registry (package.json + package-lock.json).
vendor:
	npm ci --no-audit --no-fund
	mkdir -p static/vendor/zxing
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp node_modules/barcode-detector/dist/iife/polyfill.js static/vendor/barcode-detector-polyfill.js
	cp node_modules/zxing-wasm/dist/reader/zxing_reader.wasm static/vendor/zxing/zxing_reader.wasm
	# axe-core: accessibility checks for the browser tests only (tests/axe.py injects it; no page loads it)
	cp node_modules/axe-core/axe.min.js static/vendor/axe.min.js

bench: install
	$(BIN)/python bench/run_all.py
