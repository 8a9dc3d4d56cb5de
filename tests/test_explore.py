"""notebooks/explore.ipynb and cvae_lib.reporting.explore: samples of committed runs, decoded on demand."""
import pytest
import torch

from cvae_lib.reporting import explore
from cvae_lib.training import runs
from cvae_lib.evaluation.generate import decode_means
from cvae_lib.modelling.priors import standard_normal

RUNS = runs.project_root() / "report" / "runs"


@pytest.fixture(scope="module")
def mlp():
    return runs.load_model(RUNS / "mlp-s0")[1]


def test_the_committed_runs_are_listed_without_the_classifier():
    names = explore.runs_with_weights(RUNS)
    assert {"mlp-s0", "conv-s0"} <= set(names) and "classifier" not in names


def test_prior_samples_equal_decoded_scaled_normal_draws_shifted_along_one_direction(mlp):
    got = explore.explore_samples(mlp, label=3, n=5, tau=0.5, direction=7, shift=2.0, seed=11)
    z = 0.5 * standard_normal((5, mlp.latent_size), torch.Generator().manual_seed(11))
    z[:, 7] += 2.0
    torch.testing.assert_close(got, decode_means(mlp, z, torch.full((5,), 3), "bernoulli"))


def test_a_vanishing_temperature_gives_the_decoding_of_the_prior_mean(mlp):
    got = explore.explore_samples(mlp, label=1, n=4, tau=1e-7)
    mean = decode_means(mlp, torch.zeros(1, mlp.latent_size), torch.tensor([1]), "bernoulli")
    torch.testing.assert_close(got, mean.expand(4, -1, -1, -1), atol=1e-5, rtol=0)


def test_stored_samplers_show_the_draws_they_were_scored_on(mlp):
    from cvae_lib.evaluation.extensions import sampler_images
    assert explore.stored_samplers(RUNS / "mlp-s0") == ["prior", "gmm", "two_stage"]
    got = explore.explore_samples(mlp, label=2, n=3, sampler="gmm", run_dir=RUNS / "mlp-s0")
    assert torch.equal(got, sampler_images(RUNS / "mlp-s0")["gmm"][2][:3])


@pytest.mark.parametrize("kwargs, message", [
    (dict(label=10), "label must be a class index 0-9, got 10"),
    (dict(label=0, sampler="vamp"), "sampler must be one of ('prior', 'gmm', 'two_stage'), got 'vamp'"),
    (dict(label=0, direction=64), "direction must be a latent dimension 0-63, got 64"),
])
def test_bad_choices_are_refused_with_the_value_given(mlp, kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        explore.explore_samples(mlp, **kwargs)


@pytest.mark.slow
def test_the_notebook_runs_headless_on_a_committed_run(tmp_path):
    import subprocess
    import sys

    import nbformat
    from cvae_lib.reporting.steps import NOTEBOOKS
    # papermill's command line, as a user runs it (in-process under pytest's output capture the widget cell waits).
    # On a loaded 2-core machine nbclient now and then waits forever for a kernel message that never comes (seen
    # with TCP and IPC transports alike, the kernel idle; not this notebook's code): each cell gets a timeout, and
    # a run that timed out is run once more. An error in the notebook fails at once.
    command = [sys.executable, "-m", "papermill", "explore.ipynb", str(tmp_path / "out.ipynb"), "-k", "python3",
               "-p", "run", "conv-s0", "--execution-timeout", "120"]
    for attempt in range(2):
        done = subprocess.run(command, cwd=NOTEBOOKS, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=600)
        if done.returncode == 0 or "CellTimeoutError" not in done.stderr + done.stdout:
            break
    assert done.returncode == 0, done.stderr[-3000:]
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) >= 3  # the live view's first grid, then one static grid per sampler
