import math

import pytest
import torch
from torchvision.transforms.functional import gaussian_blur

from cvae_lib.evaluation import fidelity
from cvae_lib.evaluation.fidelity import (per_class_precision_recall, precision_recall, relative_sharpness, sharpness,
                                         sharpness_calibration)


def _column(values):
    return torch.tensor(values, dtype=torch.float64)[:, None]


def test_identical_sets_have_precision_and_recall_one():
    features = torch.randn(300, 16, generator=torch.Generator().manual_seed(0))
    assert precision_recall(features, features.clone(), k=3) == (1.0, 1.0)


def test_one_repeated_fake_point_covers_almost_none_of_a_spread_real_set():
    g = torch.Generator().manual_seed(1)
    real = torch.randn(500, 8, generator=g)
    fake = real.mean(0).expand(200, -1).clone()
    precision, recall = precision_recall(real, fake, k=3)
    assert precision == 1.0  # the mean of a Gaussian cloud lies inside its manifold
    assert recall < 0.01


def test_a_far_shifted_fake_set_has_precision_and_recall_zero():
    g = torch.Generator().manual_seed(2)
    real = torch.randn(400, 8, generator=g)
    assert precision_recall(real, real + 100.0, k=3) == (0.0, 0.0)


def test_a_one_dimensional_example_computed_by_hand():
    # k = 1. Real 0, 1, 2, 10: radii 1, 1, 1, 8, so the real manifold is [-1, 3] u [2, 18].
    # Fake 1.8, 2.4, 20, 21: radii 0.6, 0.6, 1, 1, so the fake manifold is [1.2, 3.0] u [19, 22].
    # Precision: 1.8 and 2.4 are inside, 20 and 21 outside -> 1/2. Recall: only 2 is inside -> 1/4.
    real, fake = _column([0.0, 1.0, 2.0, 10.0]), _column([1.8, 2.4, 20.0, 21.0])
    squared_radii = torch.tensor([1.0, 1.0, 1.0, 64.0], dtype=torch.float64)
    torch.testing.assert_close(fidelity.knn_squared_radii(real, 1), squared_radii)
    assert precision_recall(real, fake, k=1) == (0.5, 0.25)
    # k = 2: real radii 2, 1, 2, 9 give [-2, 19], which holds 1.8 and 2.4 but not 20 or 21.
    assert precision_recall(real, fake, k=2).precision == 0.5


def test_agrees_with_a_brute_force_count():
    g = torch.Generator().manual_seed(11)
    real, fake = torch.randn(120, 6, generator=g), 0.8 * torch.randn(90, 6, generator=g) + 0.3
    k = 4

    def manifold_contains(points, queries):
        radii = [sorted(torch.dist(p, q).item() for q in points)[k] for p in points]
        return [any(torch.dist(x, p).item() <= r for p, r in zip(points, radii)) for x in queries]

    precision = sum(manifold_contains(real, fake)) / len(fake)
    recall = sum(manifold_contains(fake, real)) / len(real)
    assert 0 < precision < 1 and 0 < recall < 1
    ours = precision_recall(real, fake, k=k)
    assert math.isclose(ours.precision, precision) and math.isclose(ours.recall, recall)


def test_chunked_distances_give_the_same_answer(monkeypatch):
    g = torch.Generator().manual_seed(3)
    real, fake = torch.randn(250, 5, generator=g), 1.3 * torch.randn(170, 5, generator=g) + 0.4
    whole = precision_recall(real, fake, k=3)
    monkeypatch.setattr(fidelity, "CHUNK_ROWS", 7)
    assert precision_recall(real, fake, k=3) == whole


def test_k_must_leave_a_neighbour():
    with pytest.raises(ValueError, match="k must be between 1 and"):
        precision_recall(torch.zeros(3, 2), torch.zeros(5, 2), k=3)


def _clusters(per_class, generator):
    """Class c spread around (10 c, 0): classes far apart from one another."""
    labels = torch.arange(10).repeat_interleave(per_class)
    centres = torch.stack([10.0 * labels, torch.zeros(len(labels))], dim=1)
    return centres + torch.randn(len(labels), 2, generator=generator), labels


def test_per_class_manifolds_reject_samples_of_the_wrong_class():
    real, labels = _clusters(20, torch.Generator().manual_seed(4))
    assert precision_recall(real, real.clone()) == (1.0, 1.0)
    wrong = per_class_precision_recall(real, labels, real.clone(), (labels + 1) % 10, k=3)
    assert (wrong.precision, wrong.recall) == (0.0, 0.0)
    assert wrong.precision_per_class == [0.0] * 10


def test_per_class_overall_pools_the_points():
    # Classes 0-4: 6 fakes each, copies of the real points. Classes 5-9: 12 fakes each, far away.
    g = torch.Generator().manual_seed(5)
    real, real_labels = _clusters(6, g)
    fake = torch.cat([real[real_labels < 5], torch.randn(60, 2, generator=g) + 1000.0])
    fake_labels = torch.cat([real_labels[real_labels < 5], torch.arange(5, 10).repeat_interleave(12)])
    result = per_class_precision_recall(real, real_labels, fake, fake_labels, k=3)
    assert result.precision_per_class == [1.0] * 5 + [0.0] * 5
    assert result.recall_per_class == [1.0] * 5 + [0.0] * 5
    assert math.isclose(result.precision, 30 / 90) and math.isclose(result.recall, 30 / 60)


def test_per_class_needs_enough_points_in_every_class():
    real, labels = _clusters(5, torch.Generator().manual_seed(6))
    keep = labels != 7
    with pytest.raises(ValueError, match="class 7 has 5 real and 0 generated"):
        per_class_precision_recall(real, labels, real[keep], labels[keep], k=3)


def test_sharpness_of_a_constant_image_is_zero():
    assert sharpness(torch.full((2, 1, 28, 28), 0.7)).tolist() == [0.0, 0.0]


def test_sharpness_of_a_three_by_three_image_computed_by_hand():
    image = torch.tensor([[0.0, 1.0, 0.0],
                          [0.0, 0.0, 0.0],
                          [0.0, 0.0, 1.0]])
    # Horizontal pairs: (0,1), (1,0) | (0,0), (0,0) | (0,0), (0,1) -> squared differences sum to 3 over 6 pairs.
    # Vertical pairs: (0,0), (0,0) | (1,0), (0,0) | (0,0), (0,1) -> 2 over 6 pairs.
    assert math.isclose(sharpness(image[None, None]).item(), 3 / 6 + 2 / 6)


def _garments(n, generator):
    """Image-like test data: a bright rectangle of random size and grey level, with a pixel texture."""
    images = torch.zeros(n, 1, 28, 28)
    for i in range(n):
        top, left = torch.randint(2, 10, (2,), generator=generator).tolist()
        height, width = torch.randint(10, 17, (2,), generator=generator).tolist()
        level = 0.4 + 0.5 * torch.rand((), generator=generator)
        images[i, 0, top:top + height, left:left + width] = level
    texture = 0.1 * torch.rand(images.shape, generator=generator)
    return (images + texture * (images > 0)).clamp(0, 1)


def test_blurred_images_are_less_sharp():
    images = _garments(30, torch.Generator().manual_seed(7))
    blurred = gaussian_blur(images, kernel_size=5, sigma=1.0)
    more_blurred = gaussian_blur(images, kernel_size=9, sigma=2.0)
    assert (sharpness(blurred) < sharpness(images)).all()
    assert (sharpness(more_blurred) < sharpness(blurred)).all()


def test_relative_sharpness_scales_with_contrast():
    # Scaling an image by a scales every difference by a, so its sharpness by a^2.
    g = torch.Generator().manual_seed(8)
    real = _garments(30, g)
    labels = torch.arange(10).repeat(3)
    contrast = torch.linspace(0.1, 1.0, 10)
    result = relative_sharpness(real * contrast[labels].view(-1, 1, 1, 1), labels, real, labels)
    torch.testing.assert_close(torch.tensor(result.per_class, dtype=torch.float64), contrast.double() ** 2)
    assert math.isclose(result.overall, float((contrast.double() ** 2).mean()), rel_tol=1e-6)


def test_relative_sharpness_of_blurred_samples_is_below_one():
    real = _garments(40, torch.Generator().manual_seed(9))
    labels = torch.arange(10).repeat(4)
    result = relative_sharpness(gaussian_blur(real, kernel_size=5, sigma=1.0), labels, real, labels)
    assert all(r < 1 for r in result.per_class) and result.overall < 1


def test_the_calibration_puts_blurred_real_images_below_one_and_noised_ones_above():
    real = _garments(40, torch.Generator().manual_seed(11))
    labels = torch.arange(10).repeat(4)
    got = sharpness_calibration(real, labels, blur_sigma=1.0, noise_sd=0.1, seed=3)
    blurred = gaussian_blur(real, kernel_size=5, sigma=1.0)  # the same blur and noise, made independently
    noised = (real + 0.1 * torch.randn(real.shape, generator=torch.Generator().manual_seed(3))).clamp(0, 1)

    def by_hand(fake):  # per class: mean of (dx^2 + dy^2) over the fake images over the real ones, then averaged
        def s(img):
            return float(((img[..., :, 1:] - img[..., :, :-1]) ** 2).mean()
                         + ((img[..., 1:, :] - img[..., :-1, :]) ** 2).mean())

        def total(images, c):
            return sum(s(images[i]) for i in range(40) if labels[i] == c)
        return sum(total(fake, c) / total(real, c) for c in range(10)) / 10
    assert got["blurred"] == pytest.approx(by_hand(blurred), rel=1e-5) and got["blurred"] < 1
    assert got["noised"] == pytest.approx(by_hand(noised), rel=1e-5) and got["noised"] > 1


def test_relative_sharpness_needs_every_class():
    real = _garments(10, torch.Generator().manual_seed(10))
    labels = torch.arange(10)
    with pytest.raises(ValueError, match="class 3 has 0 generated and 1 real"):
        relative_sharpness(real[labels != 3], labels[labels != 3], real, labels)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_gives_the_cpu_answer():
    real, labels = _clusters(20, torch.Generator().manual_seed(12))
    fake = real + 0.5 * torch.randn(real.shape, generator=torch.Generator().manual_seed(13))
    on_cuda = per_class_precision_recall(real.cuda(), labels, fake.cuda(), labels)
    on_cpu = per_class_precision_recall(real, labels, fake, labels)
    assert math.isclose(on_cuda.precision, on_cpu.precision, abs_tol=0.01)  # rounding may move a boundary point
    assert math.isclose(on_cuda.recall, on_cpu.recall, abs_tol=0.01)
    images, image_labels = _garments(20, torch.Generator().manual_seed(14)), torch.arange(10).repeat(2)
    result = relative_sharpness(images.cuda(), image_labels, images, image_labels)
    assert all(math.isclose(r, 1.0, rel_tol=1e-9) for r in result.per_class)
