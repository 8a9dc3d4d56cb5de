"""findings.reconstruction_sharpness: the blur of reconstructions at z = mu(x, y), checked against a by-hand
decode of committed runs and a by-hand image gradient."""
import numpy as np
import pytest
import torch

from cvae_lib.modelling.models import one_hot
from cvae_lib.reporting import findings
from cvae_lib.training import runs

RUNS = runs.project_root() / "report" / "runs"


def by_hand(run_dir, x, y):
    """Decoder means at the posterior means, and the mean over classes of the ratio of mean squared neighbour
    differences (horizontal plus vertical) of reconstructions to those of the images."""
    model = runs.load_model(run_dir)[1]
    with torch.no_grad():
        mu, _ = model.encode(x, one_hot(y))
        recon = model.decode(mu, one_hot(y)).view(-1, 28, 28).double().numpy()
    real = x.view(-1, 28, 28).double().numpy()

    def s(a):
        return ((a[:, :, 1:] - a[:, :, :-1]) ** 2).mean((1, 2)) + ((a[:, 1:, :] - a[:, :-1, :]) ** 2).mean((1, 2))
    labels = y.numpy()
    return np.mean([s(recon[labels == c]).mean() / s(real[labels == c]).mean() for c in range(10)])


def test_reconstruction_sharpness_matches_a_by_hand_decode_and_averages_runs(fashion):
    x, y = fashion.test_images[:300], fashion.test_labels[:300]
    dirs = [RUNS / "mlp-s0", RUNS / "conv-s0"]
    mlp, conv = (by_hand(d, x, y) for d in dirs)
    assert findings.reconstruction_sharpness(dirs[:1], x, y) == pytest.approx(mlp, rel=1e-5)
    assert findings.reconstruction_sharpness(dirs, x, y) == pytest.approx((mlp + conv) / 2, rel=1e-5)
    assert 0 < mlp < 1  # the original CVAE's reconstructions are blurrier than the images
