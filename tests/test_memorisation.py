"""The nearest-neighbour copy check against brute force and the two cases it exists for."""
import pytest
import torch

from cvae_lib.evaluation import memorisation
from cvae_lib.evaluation.memorisation import copy_check, nearest


def test_nearest_agrees_with_brute_force_across_chunks(monkeypatch):
    monkeypatch.setattr(memorisation, "CHUNK_ROWS", 7)  # several chunks, one ragged
    g = torch.Generator().manual_seed(0)
    queries, references = torch.rand(30, 1, 5, 5, generator=g), torch.rand(50, 1, 5, 5, generator=g)
    found = nearest(queries, references)
    brute = torch.cdist(queries.flatten(1).double(), references.flatten(1).double())
    assert torch.equal(found.indices, brute.argmin(1))
    assert torch.allclose(found.distances.double(), brute.min(1).values, atol=1e-5)


def test_copies_of_training_images_are_flagged_and_fresh_draws_are_not():
    g = torch.Generator().manual_seed(1)
    train, test, fresh = (torch.rand(n, 64, generator=g) for n in (400, 200, 200))
    copies = train[torch.randperm(400, generator=g)[:200]]
    copied = copy_check(copies, train, test)
    assert copied["median_sample"] == 0.0 and copied["share_closer"] == 1.0 and copied["ratio"] == 0.0
    found = nearest(copies, train)
    assert torch.equal(train[found.indices], copies)
    unseen = copy_check(fresh, train, test)  # the same distribution as the test images
    assert 0.9 < unseen["ratio"] < 1.1 and unseen["share_closer"] < 0.05


def test_mismatched_sizes_are_refused():
    with pytest.raises(ValueError, match="pixels"):
        nearest(torch.zeros(2, 4), torch.zeros(3, 5))
    with pytest.raises(ValueError, match="no reference"):
        nearest(torch.zeros(2, 4), torch.zeros(0, 4))
