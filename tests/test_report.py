"""The pipeline end to end at tiny scale: papermill runs every notebook, nbconvert exports them."""
import html
import json
import math
import re
import subprocess
import sys

import nbformat
import papermill as pm
import pytest
from papermill.exceptions import PapermillExecutionError

from cvae_lib import report, runs, steps
from cvae_lib.config import ClassifierConfig, Scale
from cvae_lib.report import pdf_available, run_pipeline
from cvae_lib.steps import NOTEBOOKS

TINY = Scale(overrides=dict(epochs=1, train_subset=300, test_subset=200, device="cpu", iwae_k=10, samples_per_class=20,
                            interpolation_pairs=10), seeds=(0,), classifier=ClassifierConfig(epochs=1, train_subset=2000),
             sweep=False)  # the sweep's execution is tested in test_sweep.py
STEPS = ["classifier", "train-mlp-s0", "train-conv-s0", "compare", "theory", "appendix-speed"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    steps = run_pipeline(out, TINY, log=lambda *_: None)
    return out, steps


@pytest.mark.slow
def test_pipeline_writes_every_page_and_finite_metrics(built):
    out, steps = built
    assert [s.name for s in steps] == STEPS and all(s.status == "done" for s in steps)
    for name in STEPS:
        assert (out / "notebooks" / f"{name}.ipynb").is_file()
        assert (out / "html" / f"{name}.html").stat().st_size > 10_000
    index = (out / "index.html").read_text()
    assert all(f'href="html/{name}.html"' in index for name in STEPS) and "INCOMPLETE" not in index
    for arch, params in (("mlp", 913_296), ("conv", 708_545)):
        summary = runs.read_json(out / "runs" / f"{arch}-s0" / "summary.json")
        assert summary["parameters"] == params and summary["epochs"] == 1
        assert all(math.isfinite(summary[k]) for k in ("test_total", "test_reconstruction", "test_kl", "test_neg_iwae",
                                                       "conditional_accuracy", "fd", "active_units"))
        for fig in ("loss_curves", "generation", "reconstruction", "interpolation", "label_swap", "per_class_metrics"):
            assert (out / "runs" / f"{arch}-s0" / "figures" / f"{fig}.png").is_file()
    comparison = json.loads((out / "figures" / "comparison.json").read_text())
    assert {r["checkpoint_ls_h"] for r in comparison["runs"]} == {"3.5M", "2.8M"}
    assert any("fewer" in c for c in comparison["conclusions"])


@pytest.mark.slow
def test_exported_pages_show_no_code_parameters_or_stderr_but_keep_figures(built):
    out, _ = built
    page = (out / "html" / "train-mlp-s0.html").read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", page))  # syntax highlighting splits code into spans
    assert "data:image/png;base64" in page and "Loss curves" in text
    for code in ("plots.class_grid", "RunSpec", "TrainConfig(", "architecture: str", "run_dir = ", "it/s]"):
        assert code not in text, code


@pytest.mark.slow
def test_rerun_skips_what_is_up_to_date(built):
    out, _ = built
    before = (out / "html" / "compare.html").stat().st_mtime_ns
    steps = run_pipeline(out, TINY, log=lambda *_: None)
    assert [s.status for s in steps] == ["skipped"] * len(STEPS)
    assert (out / "html" / "compare.html").stat().st_mtime_ns == before


@pytest.mark.slow
@pytest.mark.parametrize("parameters, message", [
    ({"epochs": 0}, "epochs must be a positive integer, got 0"),
    ({"architecture": "resnet"}, "architecture must be one of ['conv', 'mlp'], got 'resnet'"),
    ({"device": "gpu"}, "device must be one of ['auto', 'cpu', 'cuda', 'cuda:N', 'mps'], got 'gpu'"),
    ({"batch_size": -8}, "batch_size must be a positive integer, got -8"),
    ({"latent_size": 0}, "latent_size must be a positive integer, got 0"),
    ({"learning_rate": -0.1}, "learning_rate must be a positive number, got -0.1"),
    ({"beta": -1.0}, "beta must be a non-negative number (1 is the plain ELBO), got -1.0"),
    ({"data_dir": "/no/such/dir"}, "data_dir must be an existing directory, got '/no/such/dir' "
                                     "(use None to search the usual places)"),
])
def test_invalid_parameter_fails_papermill_with_the_clear_message(tmp_path, parameters, message):
    with pytest.raises(PapermillExecutionError) as failure:
        pm.execute_notebook(str(NOTEBOOKS / "train.ipynb"), str(tmp_path / "out.ipynb"), kernel_name="python3",
                            parameters={**parameters, "run_dir": str(tmp_path / "run")}, cwd=str(NOTEBOOKS),
                            progress_bar=False)
    assert failure.value.ename == "ConfigError" and failure.value.evalue == message
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_failed_step_names_notebook_and_cell_and_leaves_no_stale_page(built, tmp_path, monkeypatch):
    out, _ = built
    broken = tmp_path / "notebooks"
    broken.mkdir()
    for path in NOTEBOOKS.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        if path.name == "compare.ipynb":
            nb.cells.append(nbformat.v4.new_code_cell("raise ValueError('deliberate failure')"))
        nbformat.write(nb, broken / path.name)
    monkeypatch.setattr(steps, "NOTEBOOKS", broken)
    with pytest.raises(report.StepFailed, match=r"notebooks/compare.ipynb \(step compare\) failed in cell \d+ "
                                                r".*ValueError: deliberate failure"):
        run_pipeline(out, TINY, log=lambda *_: None)
    assert not (out / "html" / "compare.html").exists() and not (out / "html" / "theory.html").exists()
    index = (out / "index.html").read_text()
    assert "INCOMPLETE" in index and "FAILED" in index and "deliberate failure" in index


def test_cli_rejects_a_bad_scale_before_running_anything(tmp_path):
    result = subprocess.run([sys.executable, "-m", "cvae_lib", "report", "--out", str(tmp_path / "r"),
                             "--epochs", "-1"], capture_output=True, text=True)
    assert result.returncode == 2 and "epochs must be a positive integer, got -1" in result.stderr
    assert not (tmp_path / "r").exists()
