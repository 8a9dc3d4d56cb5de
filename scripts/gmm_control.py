"""The per-class GMM's control (cvae_lib.evaluation.controls): mixtures fitted to posterior samples instead of
posterior means, by BIC and at the means' largest size, scored like the extensions' GMM sampler, for each run
folder given (gmm_control.json in each).
The sampler settings are those of the run's samplers.json, so the "means" fit repeats its "gmm" numbers.

    python scripts/gmm_control.py report/runs/mlp-s0 report/runs/mlp-s1 report/runs/mlp-s2 [--device auto]

About 4 minutes per MLP run on a 2-core CPU (three mixture fits over 60,000 codes, three scorings).
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cvae_lib.base.config import resolve_device  # noqa: E402
from cvae_lib.base.data import load_fashion_mnist  # noqa: E402
from cvae_lib.evaluation.controls import SOURCES, gmm_control, sampler_config_of  # noqa: E402
from cvae_lib.training import runs  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_dirs", nargs="+", type=Path, help="finished runs with samplers.json")
    parser.add_argument("--classifier", type=Path, default=runs.COMMITTED_CLASSIFIER)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)
    data, device = load_fashion_mnist(), resolve_device(args.device)
    for d in args.run_dirs:
        t0 = time.perf_counter()
        out = gmm_control(d, args.classifier, sampler_config_of(d), data=data, device=device)
        print(f"{d.name}: " + "; ".join(
            f"{s}: FD {out[s]['fd']:.1f}, accuracy {out[s]['conditional_accuracy']:.3f}, recall {out[s]['recall']:.3f}, "
            f"draw std {out[s]['draw_std']:.3f}, components {min(out[s]['components'])}-{max(out[s]['components'])}"
            for s in SOURCES) + f" ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
