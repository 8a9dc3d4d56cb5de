"""KID and per-class FD at the operating points (fidelity.kernel_distance, operating.per_class_fd), checked against
torchmetrics' own KID metric and a by-hand unbiased MMD, and the pooled FD of each class's rows."""
import numpy as np
import pytest
import torch
from torchmetrics.image.kid import KernelInceptionDistance

from cvae_lib.evaluation.evaluate import frechet_distance
from cvae_lib.evaluation.fidelity import kernel_distance
from cvae_lib.evaluation.operating import per_class_fd


def unbiased_mmd(x, y):
    """MMD² with k(a, b) = (a·b / d + 1)³, without the diagonal terms, written out in numpy."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    d, m = x.shape[1], len(x)
    k = lambda a, b: (a @ b.T / d + 1) ** 3  # noqa: E731
    kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
    return ((kxx.sum() - np.trace(kxx)) + (kyy.sum() - np.trace(kyy))) / (m * (m - 1)) - 2 * kxy.mean()


def test_kid_on_whole_sets_is_the_unbiased_mmd_and_torchmetrics_value():
    g = torch.Generator().manual_seed(0)
    real, fake = torch.randn(300, 8, generator=g), 0.5 + torch.randn(300, 8, generator=g)
    ours = kernel_distance(real, fake, subsets=3, subset_size=300)  # every subset is the whole set, permuted
    assert ours.mean == pytest.approx(unbiased_mmd(real, fake), rel=1e-9)
    assert ours.std == pytest.approx(0.0, abs=1e-12)
    metric = KernelInceptionDistance(feature=torch.nn.Identity(), subsets=1, subset_size=300)
    metric.update(real.double(), real=True)
    metric.update(fake.double(), real=False)
    assert ours.mean == pytest.approx(float(metric.compute()[0]), rel=1e-9)


def test_kid_is_near_zero_for_one_distribution_and_grows_with_the_shift():
    g = torch.Generator().manual_seed(1)
    real = torch.randn(2000, 16, generator=g)
    same, near, far = (shift + torch.randn(2000, 16, generator=g) for shift in (0.0, 0.3, 1.0))
    kid = [kernel_distance(real, f, subsets=20, subset_size=500, seed=3).mean for f in (same, near, far)]
    assert abs(kid[0]) < 0.01 < kid[1] < kid[2]
    again = kernel_distance(real, near, subsets=20, subset_size=500, seed=3)
    assert again.mean == kid[1]  # seeded subsets: the value repeats


def test_kid_refuses_subsets_larger_than_a_set():
    with pytest.raises(ValueError, match="need as many features"):
        kernel_distance(torch.zeros(10, 2), torch.zeros(500, 2), subset_size=100)


def test_per_class_fd_scores_each_class_apart():
    g = torch.Generator().manual_seed(2)
    labels = torch.arange(10).repeat_interleave(200)
    real = torch.randn(2000, 4, generator=g, dtype=torch.float64)
    fake = torch.randn(2000, 4, generator=g, dtype=torch.float64)
    fake[labels == 3] += 2.0  # one class drawn badly: only its FD moves
    fds = per_class_fd(real, labels, fake, labels)
    assert len(fds) == 10 and int(np.argmax(fds)) == 3
    assert fds[3] == pytest.approx(frechet_distance(fake[labels == 3], real[labels == 3]))
    assert fds[3] > 4 * 4 * 0.9 and max(fds[:3] + fds[4:]) < 1.0  # |shift|² = 4 per dimension, 4 dimensions
