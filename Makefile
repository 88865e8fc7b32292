# Clientele — the two commands a fresh clone needs are `make dev` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.13
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 3000
ORG ?= acme
ROLE ?= admin

export AWS_ACCOUNT_ID_ENDPOINT_MODE := disabled

.PHONY: dev test token lint typecheck openapi bench sam-validate sam-build clean install

$(STAMP): requirements-dev.txt layers/core/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

## make dev: serve the whole system on http://127.0.0.1:$(PORT) (embedded DynamoDB, stream, jobs)
dev: $(STAMP)
	PORT=$(PORT) $(BIN)/python -m local.server

## make test: lint, type-check and run the whole suite
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/cfn-lint template.yaml
	$(BIN)/python -m pytest -n 2 --dist loadfile

## make token ORG=acme ROLE=admin: print a dev token for the local stack
token: $(STAMP)
	@$(BIN)/python -m local.token --org "$(ORG)" --role "$(ROLE)"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true

typecheck: $(STAMP)
	$(BIN)/mypy

## make openapi: regenerate the committed OpenAPI document from the handlers
openapi: $(STAMP)
	$(BIN)/python -m local.openapi --write

## make bench: DynamoDB calls, handler overhead and cold imports per operation
bench: $(STAMP)
	$(BIN)/python -m bench

sam-validate: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/sam validate --lint

sam-build: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/sam build

clean:
	rm -rf $(VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache
