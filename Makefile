# Two commands do all the set-up: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
ENGINE ?= mkdocs
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps
export NO_MKDOCS_2_WARNING := 1

# The build's locked packages, then the test tools on top (each lock hashed; see `make lock`).
BUILD_STAMP := $(VENV)/.installed-build
TEST_STAMP  := $(VENV)/.installed-test

.PHONY: serve build check test lock bench clean schemas adopt accept join-upstream

$(BUILD_STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.lock
	@touch $@

$(TEST_STAMP): requirements-test.lock $(BUILD_STAMP)
	$(PIP) -r requirements-test.lock
	@touch $@

serve: $(BUILD_STAMP)
	$(BIN)/python -m macros serve --engine $(ENGINE) --addr 127.0.0.1:8000

build: $(BUILD_STAMP)
	$(BIN)/python -m macros build --engine $(ENGINE)

# The fast tier, for while you work: unit, data and renderer tests and small fixture builds.
check: $(TEST_STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser"

# Everything, as CI runs it.
test: $(TEST_STAMP)
	$(BIN)/python -m pytest

# Benchmark scripts (not tests): writes bench/results/latest.json and latest.md. See bench/README.md.
bench: $(TEST_STAMP)
	$(BIN)/python bench/run.py

# Maintainers only: re-resolve every lock with hashes (keeping current pins where they still fit).
lock:
	@rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/python -m pip install --quiet --disable-pip-version-check pip-tools==7.6.2
	.lockenv/bin/python .ci/lock.py
	@rm -rf .lockenv

clean:
	rm -rf site .pytest_cache .build

schemas: $(BUILD_STAMP)
	$(BIN)/python -m macros schemas

# A fork's record of what it took from upstream (see docs/adapt.md): WHAT=path/to/page.md,
# WHAT=templates/<id> (any data set/id) or WHAT=settings.
adopt: $(BUILD_STAMP)
	$(BIN)/python -m macros adopt "$(WHAT)"

accept: $(BUILD_STAMP)
	$(BIN)/python -m macros accept "$(WHAT)"

# Once, for a copy made with "Use this template": join upstream's history (see docs/adapt.md).
join-upstream: $(BUILD_STAMP)
	$(BIN)/python -m macros join-upstream upstream
