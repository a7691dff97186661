# Each target sets itself up: a fresh clone needs only `make serve` or `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve test build outputs clean

serve: $(VENV)/installed node_modules/installed  ## build and serve the site at http://127.0.0.1:8000
	$(BIN)/mkdocs serve --strict -a 127.0.0.1:8000

test: $(VENV)/installed node_modules/installed  ## run every test (site, snippets, notebooks, browser)
	$(BIN)/python -m pytest

outputs: $(VENV)/installed  ## run every page's blocks and rewrite their `#>` lines from what they print
	$(BIN)/python -m hooks.outputs

build: $(VENV)/installed node_modules/installed  ## build the site into site/
	$(BIN)/mkdocs build --strict -d site

$(VENV)/installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

node_modules/installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

clean:
	rm -rf $(VENV) node_modules site
