"""The training benchmark at tiny scale, so that it cannot rot."""
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_runs_and_writes_its_tables(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_train.py"), "--images", "512", "--reps", "1",
                    "--out", str(tmp_path)], check=True, capture_output=True)
    summary = pd.read_csv(tmp_path / "train_throughput.csv")
    assert set(summary.variant) == {"seed loop", "project trainer"} and set(summary.architecture) == {"mlp", "conv"}
    assert (summary.median_images_per_s > 0).all()
    assert (summary.loc[summary.variant == "seed loop", "speedup_vs_seed"] == 1.0).all()
    flops = dict(zip(summary.architecture, summary.mflop_per_image))
    assert 4 < flops["mlp"] < 6 and 25 < flops["conv"] < 32  # ~5.5 and ~30 MFLOP per image, per the issue
    assert json.loads((tmp_path / "train_throughput.json").read_text())["matmul_gflops"] > 0
    assert (tmp_path / "train_throughput.png").stat().st_size > 1000


def test_evaluation_benchmark_runs_on_the_committed_runs(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_eval.py"), "--k", "4", "--test-images", "100",
                    "--train-images", "512", "--old-images", "100", "--out", str(tmp_path)],
                   check=True, capture_output=True)
    table = pd.read_csv(tmp_path / "eval_speed.csv")
    assert list(table.architecture) == ["mlp", "conv"] and (table.test_images == 100).all()
    assert (table[["training_s", "evaluation_s", "iwae_s", "iwae_s_before"]] > 0).all().all()
    assert (table.evaluation_s >= table.iwae_s).all()
    assert json.loads((tmp_path / "eval_speed.json").read_text())["command"].startswith("python benchmarks/bench_eval.py --k 4")
    metrics = ROOT / "report" / "runs" / "mlp-s0" / "metrics.json"  # the run's own cache is not touched
    assert not metrics.exists() or json.loads(metrics.read_text())["eval_config"]["iwae_k"] != 4
