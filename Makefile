# akhbar — two commands: `make run` and `make test`. Both create .venv on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= data

.PHONY: run test venv bench clean

venv: $(STAMP)

# torch first: 2.13.0 is a CPU build available locally; letting camel-tools pull "torch" would
# fetch several GB of CUDA wheels.  Every other version comes from constraints.txt.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check "torch==2.13.0"
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/akhbar run seeds/ --out $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python -m bench.pipeline --corpus ../shared/corpora

clean:
	rm -rf $(OUT) .pytest_cache
