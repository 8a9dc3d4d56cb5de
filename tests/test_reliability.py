"""Faults and bad inputs: each gives a clear error and leaves nothing half-written."""
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from cvae_lib.training import runs
from cvae_lib.base.config import ConfigError, TrainConfig, resolve_device
from cvae_lib.training.runs import CheckpointError, RunError
from cvae_lib.training.train import TrainingDiverged, train

TINY = dict(epochs=1, train_subset=256, test_subset=128, device="cpu")
LOSSES = ["train_total", "train_reconstruction", "train_kl", "test_total", "test_reconstruction", "test_kl"]


@pytest.mark.parametrize("field, value, message", [
    ("architecture", "resnet", r"architecture must be one of \['conv', 'mlp'\], got 'resnet'"),
    ("device", "gpu", r"device must be one of \['auto', 'cpu', 'cuda', 'cuda:N', 'mps'\], got 'gpu'"),
    ("epochs", 0, r"epochs must be a positive integer, got 0"),
    ("epochs", 2.5, r"epochs must be a positive integer, got 2.5"),
    ("batch_size", -1, r"batch_size must be a positive integer, got -1"),
    ("latent_size", 0, r"latent_size must be a positive integer, got 0"),
    ("learning_rate", 0.0, r"learning_rate must be a positive number, got 0.0"),
    ("learning_rate", float("nan"), r"learning_rate must be a positive number, got nan"),
    ("beta", -0.5, r"beta must be a non-negative number \(1 is the plain ELBO\), got -0.5"),
    ("train_subset", -3, r"train_subset must be a non-negative integer \(0 uses all 60,000 images\), got -3"),
    ("seed", -1, r"seed must be an integer in \[0, 2\*\*63\), got -1"),
    ("data_dir", "/no/such/dir", r"data_dir must be an existing directory, got '/no/such/dir'"),
    ("likelihood", "poisson", r"likelihood must be one of \['bernoulli', 'continuous_bernoulli', 'gaussian', "
                              r"'gaussian_learned'\], got 'poisson'"),
    ("gaussian_sigma", 0.0, r"gaussian_sigma must be a positive number, got 0.0"),
    ("kl_warmup_epochs", -2, r"kl_warmup_epochs must be a non-negative integer \(0 disables the warm-up\), got -2"),
])
def test_bad_parameter_is_refused_before_any_work(tmp_path, field, value, message):
    with pytest.raises(ConfigError, match=message):
        train(TrainConfig(**{**TINY, field: value}), tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_requested_accelerator_must_exist():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ConfigError, match="device 'cuda' was requested but CUDA is not available"):
        resolve_device("cuda")
    assert resolve_device("auto") == torch.device("cpu")


def test_cli_reports_a_bad_parameter_without_a_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "cvae_lib", "train", "--run-dir", str(tmp_path / "r"),
                             "--epochs", "0"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "epochs must be a positive integer, got 0" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "r").exists()


def test_run_folder_with_another_config_is_refused(tmp_path, fashion):
    train(TrainConfig(**TINY), tmp_path / "run", data=fashion, progress=False)
    before = (tmp_path / "run" / "model.pt").read_bytes()
    with pytest.raises(RunError, match=r"holds another config \(latent_size: 64 != 8\)"):
        train(TrainConfig(**TINY, latent_size=8), tmp_path / "run", data=fashion, progress=False)
    assert (tmp_path / "run" / "model.pt").read_bytes() == before


def test_finished_run_is_not_retrained(tmp_path, fashion):
    run_dir = train(TrainConfig(**TINY), tmp_path / "run", data=fashion, progress=False)
    stamp = (run_dir / "model.pt").stat().st_mtime_ns
    assert train(TrainConfig(**TINY), run_dir, data=fashion, progress=False) == run_dir
    assert (run_dir / "model.pt").stat().st_mtime_ns == stamp


def test_finished_run_without_weights_is_trained_again_to_the_same_weights(tmp_path, fashion):
    run_dir = train(TrainConfig(**TINY), tmp_path / "run", data=fashion, progress=False)
    weights = (run_dir / "model.pt").read_bytes()
    (run_dir / "model.pt").unlink()
    train(TrainConfig(**TINY), run_dir, data=fashion, progress=False)
    assert (run_dir / "model.pt").read_bytes() == weights


def test_absurd_learning_rate_stops_with_a_clear_error(tmp_path, fashion):
    config = TrainConfig(**{**TINY, "learning_rate": 1e8, "epochs": 3})
    with pytest.raises(TrainingDiverged, match=r"non-finite in epoch 1, batch \d+: .*(kl|reconstruction|total)"):
        train(config, tmp_path / "run", data=fashion, progress=False)
    status = runs.read_status(tmp_path / "run")
    assert status["status"] == "failed" and "non-finite" in status["error"]
    assert not (tmp_path / "run" / "model.pt").exists()
    with pytest.raises(RunError, match="failed and cannot be shown as a result"):
        runs.require_finished(tmp_path / "run")
    with pytest.raises(RunError, match="holds a failed run"):
        train(config, tmp_path / "run", data=fashion, progress=False)


def test_nan_in_a_later_epoch_keeps_the_last_good_checkpoint(tmp_path, fashion, monkeypatch):
    import cvae_lib.training.objectives as trainer
    real, calls = trainer.negative_elbo, {"n": 0}

    def faulty(*args, **kwargs):  # fault injection: the 3rd training batch of epoch 2 turns NaN
        loss = real(*args, **kwargs)
        if torch.is_grad_enabled():
            calls["n"] += 1
            if calls["n"] == 2 + 3:  # 256 images / batch 128 = 2 batches per epoch
                return loss._replace(kl=loss.kl * float("nan"), total=loss.total * float("nan"))
        return loss

    monkeypatch.setattr(trainer, "negative_elbo", faulty)
    config = TrainConfig(**{**TINY, "epochs": 3, "batch_size": 128})
    with pytest.raises(TrainingDiverged, match=r"epoch 3, batch 1: total, kl = nan, nan.*epoch 2\) is kept"):
        train(config, tmp_path / "run", data=fashion, progress=False)
    state = runs.load_torch(tmp_path / "run" / "state.pt")
    assert state["epoch"] == 2 and len(state["history"]) == 2
    assert all(torch.isfinite(v).all() for v in state["model"].values())


def _corrupt_run(tmp_path, fashion):
    return train(TrainConfig(**TINY), tmp_path / "run", data=fashion, progress=False)


def test_truncated_checkpoint(tmp_path, fashion):
    run_dir = _corrupt_run(tmp_path, fashion)
    data = (run_dir / "model.pt").read_bytes()
    (run_dir / "model.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match=r"model.pt cannot be loaded safely: it is truncated"):
        runs.load_model(run_dir)


def test_truncated_config(tmp_path, fashion):
    run_dir = _corrupt_run(tmp_path, fashion)
    (run_dir / "config.json").write_text('{"architecture": "mlp", "epo')
    with pytest.raises(RunError, match=r"config.json is corrupt or truncated"):
        runs.load_model(run_dir)
    with pytest.raises(RunError, match=r"config.json is corrupt or truncated"):
        train(TrainConfig(**TINY), run_dir, data=fashion, progress=False)


def test_checkpoint_of_another_architecture_is_refused_with_the_keys(tmp_path, fashion):
    run_dir = _corrupt_run(tmp_path, fashion)
    conv = train(TrainConfig(**{**TINY, "architecture": "conv"}), tmp_path / "conv", data=fashion, progress=False)
    (run_dir / "model.pt").write_bytes((conv / "model.pt").read_bytes())
    with pytest.raises(CheckpointError, match=r"does not fit CVAE\(latent_size=64\): missing keys \['fc1.bias', "
                                              r".*unexpected keys \['decoder_deconv.0.bias'"):
        runs.load_model(run_dir)


def test_checkpoint_of_another_latent_size_is_refused_with_the_shapes(tmp_path, fashion):
    run_dir = _corrupt_run(tmp_path, fashion)
    other = train(TrainConfig(**{**TINY, "latent_size": 8}), tmp_path / "l8", data=fashion, progress=False)
    (run_dir / "model.pt").write_bytes((other / "model.pt").read_bytes())
    with pytest.raises(CheckpointError, match=r"shape mismatches \['fc2.bias: \(8,\) vs \(64,\)'"):
        runs.load_model(run_dir)


class Payload:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_checkpoint_with_code_is_refused(tmp_path):
    torch.save({"weights": torch.zeros(2), "payload": Payload()}, tmp_path / "evil.pt")
    with pytest.raises(CheckpointError, match=r"cannot be loaded safely.*objects other than tensors"):
        runs.load_torch(tmp_path / "evil.pt")


@pytest.mark.slow
def test_sigkill_mid_epoch_then_rerun_equals_an_uninterrupted_run(tmp_path):
    def command(run_dir):
        return [sys.executable, "-m", "cvae_lib", "train", "--run-dir", str(run_dir), "--epochs", "4",
                "--train-subset", "12000", "--test-subset", "1000", "--device", "cpu", "--seed", "7",
                "--no-progress"]

    subprocess.run(command(tmp_path / "ref"), check=True, capture_output=True)
    victim = tmp_path / "victim"
    proc = subprocess.Popen(command(victim), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (victim / "state.pt").exists():  # epoch 1 is checkpointed; now kill it inside epoch 2
        assert time.time() < deadline and proc.poll() is None
        time.sleep(0.02)
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert runs.read_status(victim)["status"] == "running"
    assert runs.load_torch(victim / "state.pt")["epoch"] in (1, 2)
    subprocess.run(command(victim), check=True, capture_output=True)

    ref, got = runs.load_torch(tmp_path / "ref" / "model.pt"), runs.load_torch(victim / "model.pt")
    assert ref.keys() == got.keys() and all(torch.equal(ref[k], got[k]) for k in ref)
    assert runs.read_history(victim)[LOSSES].equals(runs.read_history(tmp_path / "ref")[LOSSES])
    assert not [p for p in victim.iterdir() if p.name.endswith(".tmp")]


def test_git_commit_is_dirty_for_source_changes_but_not_for_report_pages(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)
    git("init", "-q")
    (tmp_path / "report").mkdir()
    (tmp_path / "pkg").mkdir()
    (tmp_path / "report" / "index.html").write_text("old")
    (tmp_path / "pkg" / "code.py").write_text("x = 1\n")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    assert runs.git_commit(tmp_path / "pkg") == head
    (tmp_path / "report" / "index.html").write_text("rebuilt")  # the report rewriting itself
    assert runs.git_commit(tmp_path / "pkg") == head
    (tmp_path / "pkg" / "code.py").write_text("x = 2\n")
    assert runs.git_commit(tmp_path / "pkg") == head + "+dirty"
    assert runs.git_commit(tmp_path.parent / "no-such-dir") == "unknown"
