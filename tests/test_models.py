import subprocess

import pytest
import torch

from cvae_lib.modelling import reference as seed_reference
from cvae_lib.modelling.models import MODELS, build_model, count_parameters, one_hot
from cvae_lib.training.runs import file_size, ls_size, save_torch

PARAMS = {"mlp": 913_296, "conv": 708_545}
SEED_CLASSES = {"mlp": seed_reference.CVAE, "conv": seed_reference.ConvCVAE}


@pytest.mark.parametrize("arch", ["mlp", "conv"])
def test_state_dict_is_the_seeds(arch):
    ours, seed = build_model(arch).state_dict(), SEED_CLASSES[arch]().state_dict()
    assert list(ours) == list(seed)
    assert {k: v.shape for k, v in ours.items()} == {k: v.shape for k, v in seed.items()}


@pytest.mark.parametrize("arch", ["mlp", "conv"])
def test_seed_weights_load_strictly_and_compute_the_same(arch):
    torch.manual_seed(0)
    seed = SEED_CLASSES[arch]()
    model = build_model(arch)
    model.load_state_dict(seed.state_dict(), strict=True)
    x, y = torch.rand(5, 1, 28, 28), one_hot(torch.arange(5))
    mu, log_var = model.encode(x, y)
    seed_mu, seed_log_var = seed.encode(x, y)
    torch.testing.assert_close(mu, seed_mu)
    torch.testing.assert_close(log_var, seed_log_var)
    z = torch.randn(5, 64)
    torch.testing.assert_close(model.decode(z, y).flatten(1), seed.decode(z, y).flatten(1))
    torch.testing.assert_close(torch.sigmoid(model.decode_logits(z, y)), model.decode(z, y))


@pytest.mark.parametrize("arch", ["mlp", "conv"])
@pytest.mark.parametrize("latent", [2, 64])
def test_forward_shapes(arch, latent):
    model = build_model(arch, latent)
    x_hat, mu, log_var = model(torch.rand(3, 1, 28, 28), one_hot(torch.tensor([0, 4, 9])))
    assert x_hat.shape == (3, 1, 28, 28) and mu.shape == log_var.shape == (3, latent)
    assert 0 <= x_hat.min() and x_hat.max() <= 1


def test_parameter_counts():
    assert {a: count_parameters(build_model(a)) for a in MODELS} == PARAMS
    assert count_parameters(build_model("mlp", 64)) == count_parameters(seed_reference.CVAE())


def test_unknown_architecture():
    with pytest.raises(ValueError, match=r"architecture must be one of \['conv', 'mlp'\], got 'resnet'"):
        build_model("resnet")


@pytest.mark.parametrize("arch, shown", [("mlp", "3.5M"), ("conv", "2.8M")])
def test_saved_state_dict_is_the_seeds_ls_size(tmp_path, arch, shown):
    path = tmp_path / f"{arch}.pt"
    save_torch(path, build_model(arch).state_dict())
    size = file_size(path)
    # parameters x 4 bytes (float32) plus a few KB of zip/pickle overhead
    assert PARAMS[arch] * 4 < size["bytes"] < PARAMS[arch] * 4 + 16 * 1024
    assert size["ls_h"] == shown
    assert subprocess.run(["ls", "-lh", str(path)], capture_output=True, text=True).stdout.split()[4] == shown


def test_ls_size_matches_gnu_ls(tmp_path):
    sizes = [0, 1, 1023, 1024, 1025, 10 * 1024 - 1, 10 * 1024, 10 * 1024 + 1, 1_048_575, 1_048_576,
             3_656_645, 2_839_161, 10 * 2**20 + 1, 123_456_789]
    for n in sizes:
        path = tmp_path / f"f{n}"
        with open(path, "wb") as f:
            f.truncate(n)
        assert ls_size(n) == subprocess.run(["ls", "-lh", str(path)], capture_output=True,
                                            text=True).stdout.split()[4], n
