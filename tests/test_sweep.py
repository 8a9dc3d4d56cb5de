"""The sweep runner: grid expansion, names, skip logic, parallel jobs and Dask dispatch."""
import os
from dataclasses import replace

import pytest

from cvae_lib.reporting import report, steps
from cvae_lib.training import runs
from cvae_lib.base.config import ConfigError
from cvae_lib.base.config import ClassifierConfig, RunSpec, Scale
from cvae_lib.reporting.report import run_sweep
from cvae_lib.reporting.sweep import expand, load_sweep, run_specs

TINY = Scale(overrides=dict(epochs=1, train_subset=256, test_subset=100, device="cpu", iwae_k=5, samples_per_class=10,
                            interpolation_pairs=5), seeds=(0,), classifier=ClassifierConfig(epochs=1, train_subset=1000))


def run_name(params):
    return RunSpec.from_params(params).name


def write(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_grids_expand_to_the_union_of_their_products_without_duplicates(tmp_path):
    spec = load_sweep(write(tmp_path, """
base: {architecture: mlp, seed: 0}
grids:
  - {beta: [1.0, 2.0], kl_warmup_epochs: [0, 5]}
  - {beta: [1.0], likelihood: [bernoulli, gaussian]}
"""))
    runs_ = expand(spec)
    assert [run_name(r) for r in runs_] == ["mlp-s0", "mlp-s0-warmup5", "mlp-s0-beta2", "mlp-s0-beta2-warmup5",
                                            "mlp-s0-gaussian"]
    assert spec["name"] == "s"


def test_report_sweep_has_the_required_runs():
    names = [run_name(r) for r in expand(load_sweep(report.SWEEP_FILE))]
    assert names == ["mlp-s0-beta0.5", "mlp-s0", "mlp-s0-beta2", "mlp-s0-beta4", "mlp-s0-beta8",
                     "mlp-s0-continuous_bernoulli", "mlp-s0-gaussian", "mlp-s0-gaussian_learned"]


@pytest.mark.parametrize("text, message", [
    ("grids: [{beta: [1.0]}]\nbase: {momentum: 0.9}", r"unknown parameter\(s\) \['momentum'\] in base"),
    ("grids: [{beta: 2.0}]", r"grids\[0\].beta must be a non-empty list, got 2.0"),
    ("grids: [{beta: [-1.0]}]", r"beta must be a non-negative number"),
    ("base: {}", r"must be a mapping with a 'grids' list"),
    ("grids: [{beta: [1.0]", r"cannot be read"),
])
def test_bad_sweep_files_are_refused(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_sweep(write(tmp_path, text))


SWEEP = """
name: tiny
base: {architecture: mlp, seed: 0}
grids:
  - {beta: [1.0, 4.0]}
"""


@pytest.mark.slow
def test_parallel_jobs_run_every_run_then_a_rerun_skips_them(tmp_path):
    out = tmp_path / "out"
    steps = run_sweep(write(tmp_path, SWEEP), out, TINY, jobs=2, pdf=False, log=lambda *_: None)
    assert [s.status for s in steps] == ["done", "done", "done", "done"]
    for name in ("mlp-s0", "mlp-s0-beta4"):
        assert runs.read_status(out / "runs" / name)["status"] == "finished"
        assert (out / "runs" / name / "metrics.json").exists()
    assert runs.read_config(out / "runs" / "mlp-s0-beta4").beta == 4.0
    assert (out / "html" / "sweep.html").exists() and (out / "figures" / "sweep" / "rate_distortion.png").exists()
    again = run_sweep(write(tmp_path, SWEEP), out, TINY, jobs=2, pdf=False, log=lambda *_: None)
    assert [s.status for s in again] == ["skipped"] * 4


@pytest.mark.slow
def test_runs_are_dispatched_to_a_dask_local_cluster(tmp_path):
    from distributed import LocalCluster
    out = tmp_path / "out"
    seen = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        one_run = SWEEP.replace("beta: [1.0, 4.0]", "beta: [4.0]")  # dispatch is what is tested: one run shows it
        steps = run_sweep(write(tmp_path, one_run), out, TINY, scheduler=cluster.scheduler_address, pdf=False,
                          log=seen.append)
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    assert [s.status for s in steps] == ["done"] * 3
    done = [m for m in seen if m.startswith("train-")]
    assert [m.split(" (")[0] for m in done] == ["train-mlp-s0-beta4: done"]
    assert all(f"worker process {os.getpid()})" not in m for m in done)  # executed by the cluster's workers
    assert runs.read_status(out / "runs" / "mlp-s0-beta4")["status"] == "finished"


def test_report_plan_adds_the_sweep_once_and_the_command_line_wins_over_the_sweep_file(tmp_path):
    steps = report.plan(tmp_path, TINY)
    names = [s.name for s in steps]
    assert names == ["classifier", "train-mlp-s0", "train-conv-s0", "train-mlp-s0-beta0.5", "train-mlp-s0-beta2",
                     "train-mlp-s0-beta4", "train-mlp-s0-beta8", "train-mlp-s0-continuous_bernoulli",
                     "train-mlp-s0-gaussian", "train-mlp-s0-gaussian_learned", "extensions", "review", "appendix-speed",
                     "report",
                     "report.zh"]
    by_name = {s.name: s for s in steps}
    for name in ("train-mlp-s0", "train-mlp-s0-beta4"):  # the command line's values win over the file's
        assert by_name[name].parameters["iwae_k"] == 5 and by_name[name].parameters["epochs"] == 1
    assert len(by_name["report"].parameters["sweep_dirs"]) == 8
    assert by_name["report.zh"].parameters["language"] == "zh"
    assert report.plan(tmp_path, replace(TINY, sweep=False))[-1].parameters["sweep_dirs"] == []
    extensions = by_name["extensions"].parameters  # the extension runs of the scale's seeds, with its overrides
    assert [(p["architecture"], p["extension"], p["seed"]) for p in extensions["extension_runs"]] == [
        ("mlp", "vampprior", 0), ("conv", "vampprior", 0), ("mlp", "vaegan", 0), ("mlp", "vaegan", 0), ("conv", "vaegan", 0),
        ("mlp", "none", 0), ("conv", "none", 0)]
    assert all(p["optimizer"] == "rmsprop" for p in extensions["extension_runs"][-2:])  # the VAE-GAN's baselines
    assert all(p["epochs"] == 1 and p["iwae_k"] == 5 for p in extensions["extension_runs"])
    assert by_name["report"].parameters["extension_dirs"] == extensions["extension_dirs"]
    assert "extensions" not in {s.name for s in report.plan(tmp_path, replace(TINY, extensions=False))}
    plain = {s.name: s.parameters for s in report.plan(tmp_path, Scale())}
    assert plain["train-mlp-s0-beta4"]["iwae_k"] == 100 and plain["train-mlp-s0-beta4"]["epochs"] == 50  # the file's
    assert plain["train-mlp-s0"]["iwae_k"] == 1000  # the main run: the defaults


def test_the_sweep_command_trains_the_epochs_given_on_the_command_line(tmp_path, monkeypatch):
    from cvae_lib.__main__ import _parser, scale_from_args
    args = _parser().parse_args(["sweep", str(report.SWEEP_FILE), "--epochs", "1"])
    specs = run_specs(load_sweep(report.SWEEP_FILE), scale_from_args(args).overrides)
    assert [s.train.epochs for s in specs] == [1] * 8
    assert {s.evaluation.iwae_k for s in specs} == {100}  # not given: the file's value


def test_every_parameter_the_pipeline_passes_is_declared_by_its_notebook(tmp_path):
    import papermill as pm
    planned = report.plan(tmp_path, TINY)
    for step in planned:
        declared = pm.inspect_notebook(str(steps.NOTEBOOKS / step.notebook))
        assert set(step.parameters) <= set(declared), (step.name, set(step.parameters) - set(declared))
    likelihood_run = next(s for s in planned if s.name == "train-mlp-s0-gaussian_learned")
    assert likelihood_run.parameters["likelihood"] == "gaussian_learned"


def test_a_parameter_the_notebook_does_not_declare_fails_the_step(tmp_path):
    step = steps.Step("bad", "train.ipynb", {"epochs": 1, "optimiser": "sgd"}, "bad")
    steps.assign_keys([step], tmp_path, pdf=False)
    result = steps.execute_step(step, tmp_path, pdf=False)
    assert result["status"] == "failed" and "has no parameter(s) ['optimiser']" in result["error"]
