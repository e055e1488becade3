# Two commands do all the set-up: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build test lock bench clean schemas

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $(STAMP)

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

build: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

test: $(STAMP)
	$(BIN)/python -m pytest

# Benchmark scripts (not tests): writes bench/results/latest.json and latest.md. See bench/README.md.
bench: $(STAMP)
	$(BIN)/python bench/run.py

lock:
	@rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/python -m pip install --quiet --disable-pip-version-check ".[test]"
	.lockenv/bin/python -m pip freeze --exclude-editable | grep -v '^mentoring-curriculum' > requirements.lock
	@rm -rf .lockenv

clean:
	rm -rf site .pytest_cache .cache

schemas: $(STAMP)
	$(BIN)/python -c "from macros.opendata import main; main(['docs'])"
