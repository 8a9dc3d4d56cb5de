"""One home per parameter: RunSpec and Scale, their precedence, the CLI's clean errors, paths inside the project."""
import ast
import subprocess
import sys

import papermill as pm
import pytest
import torch

from cvae_lib.training import runs
from cvae_lib.base.config import QUICK, ConfigError, RunSpec, Scale, parameters
from cvae_lib.reporting.steps import NOTEBOOKS



def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "cvae_lib", *args], capture_output=True, text=True, cwd=cwd)


def test_later_layers_win_and_every_value_is_validated():
    spec = RunSpec.from_params({"epochs": 50, "iwae_k": 100}, {"epochs": 1})
    assert spec.train.epochs == 1 and spec.evaluation.iwae_k == 100 and spec.evaluation.samples_per_class == 1000
    assert RunSpec.from_params(spec.params()) == spec
    assert RunSpec.from_params({"test_subset": 300}).evaluation.test_subset == 300  # one test set per run
    with pytest.raises(ConfigError, match=r"unknown run parameter\(s\) \['optimiser'\]"):
        RunSpec.from_params({"optimiser": "sgd"})
    with pytest.raises(ConfigError, match="iwae_k must be a positive integer, got 0"):
        RunSpec.from_params({"iwae_k": 0})
    with pytest.raises(ConfigError, match="latent_size must be at most 4096"):
        RunSpec.from_params({"latent_size": 100_000_000})


def test_scale_is_validated_in_the_library_and_quick_scales_every_knob():
    with pytest.raises(ConfigError, match="epochs must be a positive integer, got -1"):
        Scale(overrides={"epochs": -1})
    with pytest.raises(ConfigError, match="cannot be overridden"):
        Scale(overrides={"seed": 3})
    with pytest.raises(ConfigError, match="distinct"):
        Scale(seeds=(0, 0))
    quick = Scale.quick(overrides={"epochs": 3})
    assert quick.seeds == (0,) and quick.overrides == {**QUICK, "epochs": 3}


def test_run_names():
    name = lambda **p: RunSpec.from_params(p).name  # noqa: E731
    assert name() == "mlp-s0" and name(architecture="conv", seed=2, epochs=5, iwae_k=10) == "conv-s2"
    assert name(beta=4.0, kl_warmup_epochs=5) == "mlp-s0-beta4-warmup5"
    assert name(likelihood="gaussian_learned") == "mlp-s0-gaussian_learned"


def test_train_notebook_declares_exactly_the_run_parameters_with_their_defaults():
    declared = pm.inspect_notebook(str(NOTEBOOKS / "train.ipynb"))
    expected = parameters()
    assert set(declared) == set(expected) | {"run_dir", "progress", "evaluate", "classifier_dir", "page_dir"}
    for name, (_, default, _) in expected.items():
        value = ast.literal_eval(declared[name]["default"])
        assert value == ("" if default is None else default), name
        assert declared[name]["help"], name  # papermill --help-notebook shows a line for each


def test_bad_parameters_exit_2_with_one_line_and_write_nothing(tmp_path):
    cases = [("--latent-size", "100000000", "latent_size must be at most 4096"),
             ("--epochs", "0", "epochs must be a positive integer, got 0")]
    if not torch.cuda.is_available():
        cases.append(("--device", "cuda", "CUDA is not available here"))
    for flag, value, message in cases:
        result = cli("train", "--run-dir", str(tmp_path / "run"), flag, value)
        assert result.returncode == 2 and message in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        assert not (tmp_path / "run").exists()
    result = cli("report", "--out", str(tmp_path / "r"), "--iwae-k", "0")
    assert result.returncode == 2 and "iwae_k must be a positive integer, got 0" in result.stderr
    assert not (tmp_path / "r").exists()


def test_cvae_lib_has_no_import_cycle():
    from cvae_lib.reporting import keys
    names = [".".join(["cvae_lib", *p.relative_to(keys.PACKAGE_DIR).with_suffix("").parts]).removesuffix(".__init__")
             for p in keys.PACKAGE_DIR.rglob("*.py")]
    graph = {m: keys.imported_modules(keys.module_path(m).read_text(), m) for m in names}
    assert {"cvae_lib.reporting.sweep", "cvae_lib.reporting.steps"} <= graph["cvae_lib.reporting.report"]
    visiting, done = [], set()

    def visit(module):
        if module in done:
            return
        assert module not in visiting, "import cycle: " + " -> ".join(visiting[visiting.index(module):] + [module])
        visiting.append(module)
        for other in graph.get(module, ()):
            visit(other)
        visiting.pop()
        done.add(module)
    for module in graph:
        visit(module)


@pytest.mark.slow
def test_the_readme_papermill_line_writes_nothing_outside_the_project(tmp_path):
    readme = (runs.PROJECT / "README.md").read_text()
    assert "papermill notebooks/train.ipynb runs/" in readme  # its output notebook goes to the ignored runs/
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    name = "mlp-s987"
    target = runs.default_run_dir(name)
    try:
        pm.execute_notebook(str(NOTEBOOKS / "train.ipynb"), str(tmp_path / "out.ipynb"), kernel_name="python3",
                            parameters={"seed": 987, "epochs": 1, "train_subset": 256, "test_subset": 100,
                                        "evaluate": False, "progress": False, "device": "cpu"},
                            cwd=str(elsewhere), progress_bar=False)
        assert runs.read_status(target)["status"] == "finished"
        assert target.parent == runs.PROJECT / "runs"
        assert not (tmp_path / "runs").exists() and list(elsewhere.iterdir()) == []
    finally:
        import shutil
        shutil.rmtree(target, ignore_errors=True)
