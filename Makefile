# make report   train, evaluate and render the whole report into report/ (creates .venv first)
# make test     run the test suite in TEST_JOBS processes (default 2; creates .venv first)
# make lab      open the notebooks in JupyterLab, in the project's environment
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
TEST_JOBS ?= 2

.PHONY: report test lab system venv clean-venv

report: system venv
	$(PY) -m cvae_lib report

test: system venv
	$(PY) -m pytest -n $(TEST_JOBS) --dist loadfile

lab: venv
	$(VENV)/bin/jupyter lab notebooks/

system:
	./scripts/system-deps.sh

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

clean-venv:
	rm -rf $(VENV)
