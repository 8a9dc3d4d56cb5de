import gzip
import hashlib
from pathlib import Path

import pytest
import torch

from cvae_lib.base.data import DEBIAN_DIR, SHA256, DataError, load_fashion_mnist
from conftest import write_idx_set


def test_real_data_counts_range_and_checksums(fashion):
    assert fashion.train_images.shape == (60000, 1, 28, 28)
    assert fashion.test_images.shape == (10000, 1, 28, 28)
    assert fashion.train_images.dtype == torch.float32
    for images in (fashion.train_images, fashion.test_images):
        assert images.min() == 0.0 and images.max() == 1.0
    assert torch.bincount(fashion.train_labels).tolist() == [6000] * 10
    assert torch.bincount(fashion.test_labels).tolist() == [1000] * 10
    assert len(fashion.classes) == 10 and fashion.classes[0] == "T-shirt/top"


def test_debian_files_have_the_published_checksums():
    # Independent of the loader: hash Debian's files directly.
    for name, digest in SHA256.items():
        assert hashlib.sha256(gzip.decompress((DEBIAN_DIR / (name + ".gz")).read_bytes())).hexdigest() == digest


def test_pixels_are_the_idx_bytes_over_255(fashion):
    raw = gzip.decompress((DEBIAN_DIR / "t10k-images-idx3-ubyte.gz").read_bytes())
    first = torch.tensor(list(raw[16:16 + 784]), dtype=torch.float32).view(1, 28, 28) / 255
    assert torch.equal(fashion.test_images[0], first)
    labels = gzip.decompress((DEBIAN_DIR / "t10k-labels-idx1-ubyte.gz").read_bytes())
    assert fashion.test_labels[:20].tolist() == list(labels[8:28])


def _digests(contents):
    return {name: hashlib.sha256(data).hexdigest() for name, data in contents.items()}


def _assert_cache_clean(cache):
    raw = cache / "FashionMNIST" / "raw"
    leftovers = [p.name for p in raw.iterdir()] if raw.exists() else []
    assert not [n for n in leftovers if n.endswith(".tmp")], leftovers


def test_synthetic_files_load_with_their_own_checksums(tmp_path, cache):
    contents = write_idx_set(tmp_path / "d")
    data = load_fashion_mnist(tmp_path / "d", expected_sha256=_digests(contents))
    assert data.train_images.shape == (20, 1, 28, 28) and data.test_labels.tolist() == list(range(10))
    assert data.train_images[0, 0, 0, 1].item() == pytest.approx(1 / 255)


def test_named_directory_is_used_through_the_environment_variable(tmp_path, cache, monkeypatch):
    contents = write_idx_set(tmp_path / "d")
    monkeypatch.setenv("CVAE_DATA_DIR", str(tmp_path / "d"))
    assert load_fashion_mnist(expected_sha256=_digests(contents)).train_images.shape[0] == 20


def test_missing_files_name_the_directory_and_how_to_get_them(tmp_path, cache):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match=r"not found in data_dir .*empty.*apt-get install dataset-fashion-mnist"
                                        r".*CVAE_DATA_DIR"):
        load_fashion_mnist(tmp_path / "empty")
    assert not cache.exists()


def test_truncated_gzip(tmp_path, cache):
    contents = write_idx_set(tmp_path / "d", **{"train-images-idx3-ubyte": {"truncate_to": 100}})
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz: corrupt or truncated gzip.*apt-get"):
        load_fashion_mnist(tmp_path / "d", expected_sha256=_digests(contents))
    _assert_cache_clean(cache)


def test_truncated_idx_body(tmp_path, cache):
    contents = write_idx_set(tmp_path / "d", **{"t10k-images-idx3-ubyte": {"truncate_to": 1000, "gz": False}})
    (tmp_path / "d" / "t10k-images-idx3-ubyte.gz").rename(tmp_path / "d" / "t10k-images-idx3-ubyte")
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte: truncated IDX file"):
        load_fashion_mnist(tmp_path / "d", expected_sha256=_digests(contents))


def test_wrong_magic_number(tmp_path, cache):
    contents = write_idx_set(tmp_path / "d", **{"train-labels-idx1-ubyte": {"magic": 2051}})
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte.gz: wrong magic number 2051, expected 2049"):
        load_fashion_mnist(tmp_path / "d", expected_sha256=_digests(contents))
    _assert_cache_clean(cache)


def test_checksum_mismatch_against_the_published_sums(tmp_path, cache):
    write_idx_set(tmp_path / "d")
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz: SHA-256 mismatch.*expected c59f468a"):
        load_fashion_mnist(tmp_path / "d")
    assert not (cache / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").exists()
    _assert_cache_clean(cache)


def test_corrupt_cache_is_refused_not_used(tmp_path, cache, monkeypatch):
    contents = write_idx_set(tmp_path / "d")
    sums = _digests(contents)
    load_fashion_mnist(tmp_path / "d", expected_sha256=sums)
    cached = cache / "FashionMNIST" / "raw" / "t10k-labels-idx1-ubyte"
    cached.write_bytes(cached.read_bytes()[:-1] + b"\x07")
    monkeypatch.setattr("cvae_lib.base.data.DEBIAN_DIR", Path(tmp_path / "nowhere"))
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte: SHA-256 mismatch"):
        load_fashion_mnist(expected_sha256=sums, download=False)


def test_no_source_and_no_download(tmp_path, cache, monkeypatch):
    monkeypatch.setattr("cvae_lib.base.data.DEBIAN_DIR", Path(tmp_path / "nowhere"))
    with pytest.raises(DataError, match=r"not found in .*nowhere.*download is off.*CVAE_DATA_DIR"):
        load_fashion_mnist(download=False)
