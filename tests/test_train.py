import torch

from cvae_lib.training import runs
from cvae_lib.base.config import TrainConfig
from cvae_lib.modelling.models import build_model
from cvae_lib.modelling.losses import evaluate_loss
from cvae_lib.training.train import end_losses, train

SMALL = dict(epochs=2, train_subset=5000, test_subset=1000, device="cpu")
LOSS_COLUMNS = ["train_total", "train_reconstruction", "train_kl", "test_total", "test_reconstruction", "test_kl"]


def test_short_training_lowers_the_test_loss_and_is_deterministic(tmp_path, fashion):
    config = TrainConfig(architecture="mlp", seed=3, **SMALL)
    a = runs.read_history(train(config, tmp_path / "a", data=fashion, progress=False))
    b = runs.read_history(train(config, tmp_path / "b", data=fashion, progress=False))

    torch.manual_seed(3)
    untrained = build_model("mlp")
    before = evaluate_loss(untrained, fashion.test_images[:1000], fashion.test_labels[:1000], 1.0,
                           torch.Generator().manual_seed(0))["total"]
    assert a["test_total"].iloc[-1] < a["test_total"].iloc[0] < before
    assert list(a["epoch"]) == [1, 2]
    assert a[LOSS_COLUMNS].equals(b[LOSS_COLUMNS])
    wa, wb = runs.load_torch(tmp_path / "a" / "model.pt"), runs.load_torch(tmp_path / "b" / "model.pt")
    assert all(torch.equal(wa[k], wb[k]) for k in wa)


def test_the_end_losses_score_train_and_test_images_alike_and_reproduce_the_last_test_loss(tmp_path, fashion):
    config = TrainConfig(architecture="mlp", seed=2, epochs=2, train_subset=2000, test_subset=500, device="cpu")
    run_dir = train(config, tmp_path / "run", data=fashion, progress=False)
    got = end_losses(run_dir, fashion)
    history = runs.read_history(run_dir)
    assert abs(got["test"] - history["test_total"].iloc[-1]) < 1e-4  # the trainer's own record of the same number
    _, model = runs.load_model(run_dir)
    by_hand = evaluate_loss(model, fashion.train_images[:2000], fashion.train_labels[:2000], 1.0,
                            torch.Generator().manual_seed(2 + 1 + 2))["total"]  # the last epoch's generator
    assert abs(got["train"] - by_hand) < 1e-4
    # the last epoch's running batch average (weights still moving) is not the same number as the end score
    assert got["train"] != history["train_total"].iloc[-1]


def test_different_seeds_give_different_runs(tmp_path, fashion):
    small = dict(SMALL, epochs=1, train_subset=1000, test_subset=500)
    a = runs.read_history(train(TrainConfig(seed=0, **small), tmp_path / "a", data=fashion, progress=False))
    b = runs.read_history(train(TrainConfig(seed=1, **small), tmp_path / "b", data=fashion, progress=False))
    assert a["train_total"].iloc[0] != b["train_total"].iloc[0]


def test_run_folder_round_trips_from_its_files_alone(tmp_path, fashion):
    config = TrainConfig(architecture="conv", epochs=1, train_subset=512, test_subset=256, device="cpu")
    run_dir = train(config, tmp_path / "run", data=fashion, progress=False)
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(
        [runs.CONFIG, runs.ENVIRONMENT, runs.STATUS, runs.HISTORY, runs.MODEL])
    loaded_config, model = runs.load_model(run_dir)
    assert loaded_config == config
    saved = torch.load(run_dir / "model.pt", weights_only=True)
    assert saved.keys() == model.state_dict().keys()
    assert all(torch.equal(saved[k], v) for k, v in model.state_dict().items())
    env = runs.read_json(run_dir / runs.ENVIRONMENT)
    assert env["torch"] == torch.__version__ and env["device"] == "cpu"
    assert env["data_sha256"]["train-images-idx3-ubyte"].startswith("c59f468a")
    assert runs.read_status(run_dir) == {"status": "finished", "epochs_done": 1,
                                         "training_version": {"trainer": 1, "none": 1}}
    history = runs.read_history(run_dir)
    assert len(history) == 1 and history["seconds"].iloc[0] > 0


def test_the_rmsprop_baseline_takes_rmsprop_steps_and_names_its_run(tmp_path):
    import pytest
    from cvae_lib.base.config import ConfigError, RunSpec
    from cvae_lib.training.objectives import OBJECTIVES
    config = TrainConfig(optimizer="rmsprop", learning_rate=3e-4, train_subset=64, test_subset=32, epochs=1)
    model = build_model(config.architecture, config.latent_size)
    log_sigma = torch.tensor(0.0)
    optimizer = OBJECTIVES["none"].optimizer(model, config, torch.device("cpu"), log_sigma)
    assert isinstance(optimizer, torch.optim.RMSprop) and optimizer.defaults["lr"] == 3e-4
    # one step equals torch's RMSprop applied by hand: v = alpha v + (1 - alpha) g^2; p -= lr g / (sqrt(v) + eps)
    p = next(model.parameters())
    before = p.detach().clone()
    p.grad = torch.full_like(p, 0.5)
    optimizer.step()
    v = (1 - 0.99) * 0.25
    torch.testing.assert_close(p.detach(), before - 3e-4 * 0.5 / (v ** 0.5 + 1e-8))
    assert isinstance(OBJECTIVES["none"].optimizer(model, TrainConfig(), torch.device("cpu"), log_sigma), torch.optim.Adam)
    assert RunSpec.from_params({"optimizer": "rmsprop", "learning_rate": 3e-4}).name == "mlp-s0-rmsprop-lr0.0003"
    with pytest.raises(ConfigError, match="optimizer must be one of"):
        TrainConfig(optimizer="sgd")
