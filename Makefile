# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint typecheck unit integration app e2e suite bench bench-quick migrate demo \
	clean i18n-extract i18n-update i18n-check

# uv installs the same packages as pip, compiled to bytecode as pip does (where
# PYTHONDONTWRITEBYTECODE is set, every process would otherwise compile each import again), in
# about 15 s where pip took 35 s; pip is the fallback where uv cannot be had or reach its index.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet 'uv>=0.5' && \
		$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[test]' || \
		{ $(BIN)/pip install --quiet --upgrade pip && $(BIN)/pip install --quiet -e '.[test]'; }
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(BIN)/rbm migrate

demo: migrate
	$(BIN)/rbm load-demo --if-empty

run: demo
	$(BIN)/streamlit run app.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest tests/unit --cov=indicators --cov-report=term-missing:skip-covered --cov-fail-under=95

# pytest-xdist hands whole modules to three workers (module-scoped worlds are built once), in
# the order tests/conftest.py sets: modules marked slow first, then the browser tests, which
# mostly wait (on their browser and server) and so overlap the busy ones; with two workers on
# two cores half the CPU sat idle. The slowest 20 tests are printed at the end.
XDIST := -n 3 --dist loadscope --no-loadscope-reorder --durations=20

integration: setup
	$(BIN)/pytest tests/integration $(XDIST)

app: setup
	$(BIN)/pytest tests/app $(XDIST)

e2e: setup
	$(BIN)/pytest tests/e2e $(XDIST)

# Integration, AppTest and browser tests in one session: the templates and the demo portfolio
# are built once per backend for all of them, and no stage waits for another's last module.
suite: setup
	$(BIN)/pytest tests/integration tests/app tests/e2e $(XDIST)

# Lint, types, unit tests and the suite all at once (each one's output in one piece, the
# suite's last): the suite leaves CPU idle while its browser tests wait, which the others use.
test: setup
	$(MAKE) --jobs=4 --output-sync=target lint typecheck unit suite

bench: setup
	$(BIN)/python -m bench

bench-quick: setup
	$(BIN)/python -m bench --quick

# Translations (README "Translating"): extract every marked string into the template, merge it
# into each language's catalogue, and check that every catalogue is complete.
LOCALES := rbm/locale
I18N_KEYWORDS := -k Msg -k RbmError -k ValidationFailed -k PermissionDenied -k NotFound \
	-k note -k skip -k ActivitySkipped -k Reason -k FileRefused \
	-k Conflict -k AuthenticationFailed -k Unavailable -k ConfigurationError

i18n-extract: setup
	$(BIN)/pybabel extract -F babel.cfg $(I18N_KEYWORDS) --no-location --sort-output \
		--project "RBM tracker" -o $(LOCALES)/messages.pot .

i18n-update: i18n-extract
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) -D messages \
		--no-fuzzy-matching --ignore-obsolete

i18n-check: setup
	$(BIN)/pybabel compile -d $(LOCALES) -D messages --statistics
	$(BIN)/pytest -q tests/unit/test_catalogues.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
