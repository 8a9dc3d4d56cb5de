"""Cache keys follow what a step reads: its code by imports, its parameters and the result files it shows."""
import json

from cvae_lib.reporting import keys


def test_imports_are_followed_through_relative_absolute_and_function_level_imports():
    source = "from . import runs\nfrom ..modelling.losses import negative_elbo\nimport cvae_lib.modelling.models\n" \
             "def f():\n    from ..modelling.vaegan import Discriminator\n"
    assert keys.imported_modules(source, "cvae_lib.training.train") == {
        "cvae_lib.training", "cvae_lib.training.runs", "cvae_lib.modelling.losses", "cvae_lib.modelling.models",
        "cvae_lib.modelling.vaegan"}
    assert keys.imported_modules("import torch\nfrom pathlib import Path\n") == set()


def test_a_module_brings_what_it_imports_and_its_data_files(tmp_path):
    notebook = tmp_path / "n.ipynb"
    notebook.write_text(json.dumps({"cells": [
        {"cell_type": "code", "source": ["%matplotlib inline\n", "from cvae_lib.reporting import plots\n"]},
        {"cell_type": "markdown", "source": ["from cvae_lib.reporting import demos"]}]}))
    names = {p.name for p in keys.code_files(notebook, extra_modules=())}
    assert "plots.py" in names and "demos.py" not in names and "train.py" not in names
    with_export = {p.name for p in keys.code_files(notebook)}
    assert {"pages.py", "pdfcheck.py", "index.tex.j2"} <= with_export
    document = {p.name for p in keys.code_files(notebook, extra_modules=("cvae_lib.reporting.document",))}
    assert {"en.yaml", "zh.yaml"} <= document


def test_the_training_page_does_not_depend_on_the_document_code():
    from cvae_lib.reporting.steps import NOTEBOOKS
    names = {p.name for p in keys.code_files(NOTEBOOKS / "train.ipynb")}
    assert {"train.py", "objectives.py", "plots.py", "metrics.py"} <= names
    assert not {"findings.py", "demos.py", "report.py", "steps.py"} & names


def test_inputs_name_what_changed(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.json").write_text("{}")
    notebook = tmp_path / "n.ipynb"
    notebook.write_text(json.dumps({"cells": []}))
    before = keys.step_inputs(notebook, {"a": 1}, [], [run], tmp_path)
    assert before["run/model.pt"] == "absent" and before["run/metrics.json"] != "absent"
    (run / "metrics.json").write_text('{"fd": 1}')
    after = keys.step_inputs(notebook, {"a": 2}, [], [run], tmp_path)
    assert keys.changed(before, after) == ["parameters", "run/metrics.json"]
    assert keys.key_of(before) != keys.key_of(after)
