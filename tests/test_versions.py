"""Trained weights are cached on versions of the training code (keys.py says why): a change that moves what
training computes must come with a new version. Each version's fingerprint -- the loss terms of four steps on
fixed synthetic images -- is recorded here; a fingerprint that moves while the version stays fails."""
import pytest
import torch

from cvae_lib.base.config import TrainConfig
from cvae_lib.training.objectives import OBJECTIVES, TRAINER_VERSION, training_version
from cvae_lib.training.train import epoch_means, make_model_and_optimizer, train_epoch

CASES = {"mlp/none": dict(architecture="mlp"), "conv/none": dict(architecture="conv"),
         "mlp/vampprior": dict(architecture="mlp", extension="vampprior", vamp_pseudo_inputs=2),
         "mlp/vaegan": dict(architecture="mlp", extension="vaegan", learning_rate=3e-4)}
RECORDED = {
    # (case, trainer version, objective version) -> the means of each loss term over four steps, nats per image
    ("conv/none", 1, 1): [548.424560546875, 548.2841796875, 0.14039546251296997],
    ("mlp/none", 1, 1): [548.4061279296875, 547.3780517578125, 1.0280494689941406],
    ("mlp/vaegan", 1, 1): [557.5875854492188, 0.28861337900161743, 8.619176864624023, 1.9357472658157349,
                           1.9749048948287964],
    ("mlp/vampprior", 1, 1): [547.3204345703125, 546.99462890625, 0.32581233978271484],
}


def fingerprint(case: str) -> list:
    config = TrainConfig(batch_size=64, device="cpu", **CASES[case])
    images = torch.rand(256, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    labels = torch.arange(256) % 10
    model, optimizer, log_sigma = make_model_and_optimizer(config, torch.device("cpu"))
    gens = torch.Generator().manual_seed(1), torch.Generator().manual_seed(2)
    return epoch_means(train_epoch(model, optimizer, images, labels, config, *gens, log_sigma))


@pytest.mark.parametrize("case", sorted(CASES))
def test_training_fingerprint_matches_its_version(case):
    config = TrainConfig(**CASES[case])
    version = (case, TRAINER_VERSION, OBJECTIVES[config.extension].version)
    assert version in RECORDED, f"no fingerprint recorded for {version}: record {fingerprint(case)}"
    assert fingerprint(case) == pytest.approx(RECORDED[version], rel=1e-3), (
        f"{case}: training computes other numbers than version {version[1:]} did; if that is meant, bump "
        "objectives.TRAINER_VERSION or the objective's version and record the new fingerprint")


def test_a_changed_loss_changes_the_fingerprint(monkeypatch):
    import cvae_lib.training.objectives as objectives
    real = objectives.negative_elbo
    monkeypatch.setattr(objectives, "negative_elbo", lambda *a, **k: real(*a, **k)._replace(
        total=real(*a, **k).total * 1.01))
    assert fingerprint("mlp/none") != pytest.approx(RECORDED[("mlp/none", TRAINER_VERSION, 1)], rel=1e-3)


def test_the_training_version_names_the_loop_and_the_objective():
    assert training_version(TrainConfig(extension="vaegan")) == {"trainer": TRAINER_VERSION,
                                                                 "vaegan": OBJECTIVES["vaegan"].version}
    from cvae_lib.base.config import EXTENSIONS
    assert set(OBJECTIVES) == set(EXTENSIONS)
