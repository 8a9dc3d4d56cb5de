import gzip
import os
import struct

if os.environ.get("PYTEST_XDIST_WORKER"):
    # pytest -n N: each worker (and the notebook kernels it starts) gets one thread, so N workers share the
    # cores instead of oversubscribing them. Set before torch is imported.
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = "1"

import pytest

from cvae_lib.base.data import load_fashion_mnist


@pytest.fixture(scope="session")
def fashion():
    """The real FashionMNIST (CI installs Debian's dataset-fashion-mnist)."""
    return load_fashion_mnist()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private torchvision root, so tests never touch the user's cache."""
    root = tmp_path / "cache"
    monkeypatch.setenv("CVAE_CACHE_DIR", str(root))
    monkeypatch.delenv("CVAE_DATA_DIR", raising=False)
    return root


def write_idx(path, kind, n, *, magic=None, gz=True, truncate_to=None):
    """A tiny IDX file: n images of 28x28 (pixel value i % 256) or n labels (i % 10)."""
    if kind == "images":
        header = struct.pack(">iiii", 2051 if magic is None else magic, n, 28, 28)
        body = bytes((i % 256) for i in range(n * 28 * 28))
    else:
        header = struct.pack(">ii", 2049 if magic is None else magic, n)
        body = bytes(i % 10 for i in range(n))
    data = header + body
    if truncate_to is not None and not gz:
        data = data[:truncate_to]
    if gz:
        data = gzip.compress(data)
        if truncate_to is not None:
            data = data[:truncate_to]
    path.write_bytes(data)
    return header + body


def write_idx_set(directory, n_train=20, n_test=10, **overrides):
    """The four files; ``overrides`` maps a file name to write_idx keyword arguments."""
    directory.mkdir(parents=True, exist_ok=True)
    contents = {}
    for name, n in (("train-images-idx3-ubyte", n_train), ("train-labels-idx1-ubyte", n_train),
                    ("t10k-images-idx3-ubyte", n_test), ("t10k-labels-idx1-ubyte", n_test)):
        kind = "images" if "images" in name else "labels"
        contents[name] = write_idx(directory / (name + ".gz"), kind, n, **overrides.get(name, {}))
    return contents
