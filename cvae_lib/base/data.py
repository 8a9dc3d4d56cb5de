"""FashionMNIST as verified in-memory tensors.

Sources, tried in this order:
1. a directory the caller names (``data_dir`` or the ``CVAE_DATA_DIR`` environment variable);
   when one is named, it is the only source tried;
2. Debian's package ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``);
3. an existing torchvision root (this project's cache, ``$CVAE_CACHE_DIR`` or ``~/.cache/cvae-report``);
4. torchvision's own download, where the network allows it.

Each of the four IDX files (gzipped or not) is checked for a whole gzip stream, the IDX magic
number, a length that matches its header, and its SHA-256. Verified files are copied, decompressed,
into the torchvision root (atomically: temp file, fsync, rename) and read with torchvision's
``FashionMNIST`` class.
"""
import gzip
import os
import struct
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import torch

from .fileio import atomic_write_bytes, sha256_bytes, sha256_file

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
# SHA-256 of the decompressed IDX files published by Zalando Research.
SHA256 = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
MAGIC = {"images": 2051, "labels": 2049}  # IDX: 0x0000 08 03 (uint8, 3 dims) and 0x0000 08 01
HOW_TO_GET = (
    "Get FashionMNIST in one of these ways: `sudo apt-get install dataset-fashion-mnist` "
    f"(Debian/Ubuntu, installs {DEBIAN_DIR}); let torchvision download it on a machine with internet; "
    "or put the four *-ubyte(.gz) files in a directory and pass it as data_dir or set CVAE_DATA_DIR.")


class DataError(RuntimeError):
    """FashionMNIST is missing or corrupt; the message names the file and how to get the data."""


@dataclass
class FashionMNIST:
    """Images as float32 (N, 1, 28, 28) in [0, 1], labels as int64 (N,)."""
    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    source: str
    sha256: dict
    classes: tuple = CLASSES


def cache_root() -> Path:
    return Path(os.environ.get("CVAE_CACHE_DIR") or Path.home() / ".cache" / "cvae-report")


def load_fashion_mnist(data_dir=None, *, download: bool = True, expected_sha256=None) -> FashionMNIST:
    """Load and verify FashionMNIST from the first source that has it (see the module docstring).

    ``expected_sha256`` defaults to the published checksums; the per-class counts (6,000 train,
    1,000 test) are checked whenever the published checksums are.
    """
    expected = SHA256 if expected_sha256 is None else expected_sha256
    data_dir = data_dir or os.environ.get("CVAE_DATA_DIR") or None
    root = cache_root()
    raw = root / "FashionMNIST" / "raw"
    if data_dir is not None:
        source = _find_files(Path(data_dir))
        if source is None:
            raise DataError(f"FashionMNIST files not found in data_dir {str(data_dir)!r}: expected "
                            f"{', '.join(n + '[.gz]' for n in SHA256)}. {HOW_TO_GET}")
        sources = [source]
    else:
        sources = [s for s in (_find_files(DEBIAN_DIR), _find_files(raw)) if s is not None]
    if sources:
        origin = sources[0]
        _install(origin, raw, expected)
    elif download:
        origin = _download(root, raw, expected)
    else:
        raise DataError(f"FashionMNIST not found in {DEBIAN_DIR} or {raw}, and download is off. {HOW_TO_GET}")
    data = _read_torchvision(root)
    data.source = str(origin)
    data.sha256 = {name: expected[name] for name in SHA256}
    if expected is SHA256:
        _check_counts(data)
    return data


def _find_files(directory: Path):
    """The directory (itself, raw/ or FashionMNIST/raw/) that holds all four files, or None."""
    for candidate in (directory, directory / "raw", directory / "FashionMNIST" / "raw"):
        if all(_locate(candidate, name) is not None for name in SHA256):
            return candidate
    return None


def _locate(directory: Path, name: str):
    for path in (directory / name, directory / (name + ".gz")):
        if path.is_file():
            return path
    return None


def read_idx_bytes(path: Path) -> bytes:
    """The decompressed bytes of one IDX file, with its gzip stream, magic and length checked."""
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (EOFError, OSError, zlib.error) as e:
        raise DataError(f"{path}: corrupt or truncated gzip file ({e}). {HOW_TO_GET}") from e
    kind = "images" if "images" in path.name else "labels"
    ndim = 3 if kind == "images" else 1
    if len(data) < 4 + 4 * ndim:
        raise DataError(f"{path}: truncated IDX file ({len(data)} bytes, shorter than its header). {HOW_TO_GET}")
    magic = struct.unpack(">i", data[:4])[0]
    if magic != MAGIC[kind]:
        raise DataError(f"{path}: wrong magic number {magic}, expected {MAGIC[kind]} for an IDX {kind} file. "
                        f"{HOW_TO_GET}")
    dims = struct.unpack(f">{ndim}i", data[4:4 + 4 * ndim])
    n_items = 1
    for d in dims:
        n_items *= d
    if len(data) != 4 + 4 * ndim + n_items:
        raise DataError(f"{path}: truncated IDX file: header says {dims} ({4 + 4 * ndim + n_items} bytes), "
                        f"file has {len(data)} bytes. {HOW_TO_GET}")
    return data


def _install(source: Path, raw: Path, expected: dict) -> None:
    """Verify the four files in ``source`` and place decompressed copies in ``raw`` (atomically)."""
    raw.mkdir(parents=True, exist_ok=True)
    for name in SHA256:
        path = _locate(source, name)
        target = raw / name
        if path == target and sha256_file(target) == expected[name]:
            continue
        data = read_idx_bytes(path)
        digest = sha256_bytes(data)
        if digest != expected[name]:
            raise DataError(f"{path}: SHA-256 mismatch: got {digest}, expected {expected[name]}. "
                            f"The file is corrupt or not FashionMNIST. {HOW_TO_GET}")
        if target.is_file() and sha256_file(target) == digest:
            continue
        atomic_write_bytes(target, data)


def _download(root: Path, raw: Path, expected: dict) -> Path:
    from torchvision.datasets import FashionMNIST as TorchvisionFashionMNIST
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".download-") as tmp:
        try:
            for train in (True, False):
                TorchvisionFashionMNIST(tmp, train=train, download=True)
        except Exception as e:  # network errors come in many types (URLError, socket, HTTP)
            raise DataError(f"FashionMNIST not found in {DEBIAN_DIR} or {raw}, and torchvision's download "
                            f"failed: {e}. {HOW_TO_GET}") from e
        _install(Path(tmp) / "FashionMNIST" / "raw", raw, expected)
    return Path(TorchvisionFashionMNIST.mirrors[0])


def _read_torchvision(root: Path) -> FashionMNIST:
    from torchvision.datasets import FashionMNIST as TorchvisionFashionMNIST
    splits = []
    for train in (True, False):
        ds = TorchvisionFashionMNIST(str(root), train=train, download=False)
        splits += [ds.data.unsqueeze(1).float().div_(255), ds.targets.long()]
    return FashionMNIST(*splits, source="", sha256={})


def _check_counts(data: FashionMNIST) -> None:
    for split, images, labels, per_class in (("train", data.train_images, data.train_labels, 6000),
                                             ("test", data.test_images, data.test_labels, 1000)):
        counts = torch.bincount(labels, minlength=10).tolist()
        if images.shape != (10 * per_class, 1, 28, 28) or counts != [per_class] * 10:
            raise DataError(f"FashionMNIST {split} split has shape {tuple(images.shape)} and class counts "
                            f"{counts}, expected {(10 * per_class, 1, 28, 28)} and {per_class} per class. "
                            f"{HOW_TO_GET}")
