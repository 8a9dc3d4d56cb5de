"""The pipeline end to end at tiny scale: papermill runs every notebook, nbconvert exports them."""
import html
import math
import re
import subprocess
import sys

import nbformat
import papermill as pm
import pytest
from papermill.exceptions import PapermillExecutionError

from cvae_lib.reporting import report, steps
from cvae_lib.training import runs
from cvae_lib.base.config import ClassifierConfig, SamplerConfig, Scale
from cvae_lib.reporting.report import pdf_available, run_pipeline
from cvae_lib.reporting.steps import NOTEBOOKS

TINY = Scale(overrides=dict(epochs=1, train_subset=300, test_subset=200, device="cpu", iwae_k=10, samples_per_class=20,
                            interpolation_pairs=10), seeds=(0,), classifier=ClassifierConfig(epochs=1, train_subset=2000),
             sweep=False,  # the sweep's execution is tested in test_sweep.py
             samplers=SamplerConfig(temperatures=(0.5,), temperature=0.5, gmm_components=(1,), two_stage_epochs=1),
             review=dict(temperatures=(0.5, 1.0), gmm_components=(1, 2), samples_per_class=20, validation_per_class=20,
                         test_subset=200, train_subset=2000),
             cas_seeds=0)  # CAS: tests/test_review.py (known cases) and test_review_table.py (its sentences)
STEPS = ["classifier", "train-mlp-s0", "train-conv-s0", "extensions", "review", "appendix-speed", "report", "report.zh"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    steps = run_pipeline(out, TINY, log=lambda *_: None)
    return out, steps


@pytest.mark.slow
def test_pipeline_writes_every_page_and_finite_metrics(built):
    out, steps_ = built
    assert [s.name for s in steps_] == STEPS and all(s.status == "done" for s in steps_)
    for name in STEPS[:5]:
        assert (out / "notebooks" / f"{name}.ipynb").is_file() and (out / "html" / f"{name}.html").is_file()
    for name in ("report", "report.zh"):
        assert (out / f"{name}.html").stat().st_size > 10_000
    index = (out / "index.html").read_text()
    assert all(f'href="html/{name}.html"' in index for name in STEPS[:5]) and "INCOMPLETE" not in index
    assert 'href="report.html"' in index and 'href="report.zh.html"' in index and "<title>" in index
    checks = runs.read_json(out / "review" / "summary.json")["copy_check"]  # the best method's copy check
    assert checks and all(0 <= c["share_closer"] <= 1 and c["median_test"] > 0 for c in checks.values())
    assert (out / "review" / "showcase.pt").is_file()
    for arch, params in (("mlp", 913_296), ("conv", 708_545)):
        summary = runs.read_json(out / "runs" / f"{arch}-s0" / "summary.json")
        assert summary["parameters"] == params and summary["epochs"] == 1
        assert summary["checkpoint_ls_h"] == {"mlp": "3.5M", "conv": "2.8M"}[arch]
        assert all(math.isfinite(summary[k]) for k in ("test_total", "test_reconstruction", "test_kl", "test_neg_iwae",
                                                       "conditional_accuracy", "fd", "active_units"))
        for fig in runs.FIGURE_NAMES:
            assert runs.figure(out / "runs" / f"{arch}-s0", fig).is_file()


@pytest.mark.slow
def test_every_page_is_for_a_reader(built):
    out, _ = built
    pages = [out / "report.html", out / "report.zh.html", *sorted((out / "html").glob("*.html"))]
    assert ".jp-OutputArea" in (out / "notebook.css").read_text()
    for page in pages:
        source = page.read_text()
        text = html.unescape(re.sub(r"<[^>]+>", "", source))
        assert re.search(r"<title>[^<]+</title>", source) and 'index.html">' in source, page.name
        assert "<img src=\"data:" not in source, page.name  # figures are linked files, stored once
        head = source[:source.index("</head>")]  # nbconvert's CSS too: one stylesheet, linked
        assert "<style" not in head and head.count('rel="stylesheet"') == 1, page.name
        css = re.search(r'<link rel="stylesheet" href="([^"]+)"', head).group(1)
        assert (page.parent / css).resolve() == (out / "notebook.css").resolve(), page.name
        for img in re.findall(r"<img [^>]*>", source):
            assert re.search(r'alt="[^"]+"', img), (page.name, img)
            target = re.search(r'src="([^"]+)"', img).group(1)
            assert (page.parent / target).is_file(), (page.name, target)
        for code in ("RunSpec", "TrainConfig(", "architecture: str", "run_dir = ", "it/s]", "Traceback",
                     "from cvae_lib", "Warning"):
            assert code not in text, (page.name, code)


@pytest.mark.slow
@pytest.mark.skipif(not pdf_available(), reason="xelatex or pandoc missing")
def test_both_pdfs_pass_the_reader_checks(built):
    from cvae_lib.reporting.document import texts
    from cvae_lib.reporting.pdfcheck import DEFAULT_FORBIDDEN, check_pdf
    out, steps_ = built
    for name, language in (("report", "en"), ("report.zh", "zh")):
        words = texts(language)["words"]
        titles = [words[k] for k in ("s_setup", "s_results", "s_comparison", "s_theory", "s_conclusion",
                                      "s_references", "s_appendix_code")]
        result = check_pdf(out / f"{name}.pdf", log_path=out / f"{name}.log", required_text=titles, max_pages=25,
                           require_cjk_font=language == "zh", code_listing_marker=words["s_appendix_code"],
                           check_breaks=True, check_references=("Figure", "Table") if language == "en" else ("图", "表"),
                           forbidden_text=(*DEFAULT_FORBIDDEN, words["s_appendix_pages"]))
        assert result.problems == [], result.problems
        assert words["s_appendix_pages"] in html.unescape((out / f"{name}.html").read_text())  # the HTML's only
        assert [s.checks for s in steps_ if s.name == name] == [[]]  # the pipeline ran the same checks


@pytest.mark.slow
def test_rerun_skips_what_is_up_to_date(built):
    out, _ = built
    before = (out / "report.pdf").stat().st_mtime_ns if pdf_available() else (out / "report.html").stat().st_mtime_ns
    steps = run_pipeline(out, TINY, log=lambda *_: None)
    assert [s.status for s in steps] == ["skipped"] * len(STEPS)
    assert (out / ("report.pdf" if pdf_available() else "report.html")).stat().st_mtime_ns == before


def _planned(out):
    planned = report.plan(out, TINY)
    steps.assign_keys(planned, out, report._pdf_setting(True, lambda *_: None))
    return planned


def torch_cpu():
    import torch
    return torch.device("cpu")


@pytest.mark.slow
@pytest.mark.parametrize("parameters, message", [
    ({"epochs": 0}, "epochs must be a positive integer, got 0"),
    ({"architecture": "resnet"}, "architecture must be one of ['conv', 'mlp'], got 'resnet'"),
    ({"device": "gpu"}, "device must be one of ['auto', 'cpu', 'cuda', 'cuda:N', 'mps'], got 'gpu'"),
    ({"batch_size": -8}, "batch_size must be a positive integer, got -8"),
    ({"latent_size": 0}, "latent_size must be a positive integer, got 0"),
    ({"learning_rate": -0.1}, "learning_rate must be a positive number, got -0.1"),
    ({"beta": -1.0}, "beta must be a non-negative number (1 is the plain ELBO), got -1.0"),
    ({"data_dir": "/no/such/dir"}, "data_dir must be an existing directory, got '/no/such/dir' "
                                     "(use None to search the usual places)"),
])
def test_invalid_parameter_fails_papermill_with_the_clear_message(tmp_path, parameters, message):
    with pytest.raises(PapermillExecutionError) as failure:
        pm.execute_notebook(str(NOTEBOOKS / "train.ipynb"), str(tmp_path / "out.ipynb"), kernel_name="python3",
                            parameters={**parameters, "run_dir": str(tmp_path / "run")}, cwd=str(NOTEBOOKS),
                            progress_bar=False)
    assert failure.value.ename == "ConfigError" and failure.value.evalue == message
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_failed_step_names_notebook_and_cell_and_leaves_no_stale_page(built, tmp_path, monkeypatch):
    out, _ = built
    broken = tmp_path / "notebooks"
    broken.mkdir()
    for path in NOTEBOOKS.glob("*.ipynb"):  # byte for byte, so that only the broken notebook's step is stale
        if path.name == "benchmark.ipynb":
            nb = nbformat.read(path, as_version=4)
            nb.cells.append(nbformat.v4.new_code_cell("raise ValueError('deliberate failure')"))
            nbformat.write(nb, broken / path.name)
        else:
            (broken / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(steps, "NOTEBOOKS", broken)
    with pytest.raises(report.StepFailed, match=r"notebooks/benchmark.ipynb \(step appendix-speed\) failed in cell \d+ "
                                                r".*ValueError: deliberate failure"):
        run_pipeline(out, TINY, log=lambda *_: None)
    assert not (out / "html" / "appendix-speed.html").exists()
    index = (out / "index.html").read_text()
    assert "INCOMPLETE" in index and "FAILED" in index and "deliberate failure" in index


@pytest.mark.slow
def test_a_plotting_edit_re_renders_pages_and_only_a_new_training_version_retrains(built, tmp_path, monkeypatch):
    """Both directions, on a scratch copy of the package: bytes of the code re-render pages, a new version of
    the training objective (what a change of its meaning brings, tests/test_versions.py) retrains."""
    import dataclasses
    import shutil

    from cvae_lib.reporting import keys, schedule
    from cvae_lib.training import objectives
    out, _ = built
    run_pipeline(out, TINY, log=lambda *_: None)  # the page the failure test broke
    assert all(e.current for e in schedule.make_plan(_planned(out), out, torch_cpu()))
    scratch, original = tmp_path / "cvae_lib", keys.PACKAGE_DIR
    shutil.copytree(keys.PACKAGE_DIR, scratch, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(keys, "PACKAGE_DIR", scratch)
    with open(scratch / "reporting" / "plots.py", "a") as f:
        f.write("# an edit that changes no figure\n")
    with open(scratch / "modelling" / "losses.py", "a") as f:
        f.write("# nor does this one change a loss\n")
    entries = schedule.make_plan(_planned(out), out, torch_cpu())
    assert {e.step.name for e in entries if not e.current} == set(STEPS)
    assert all("cvae_lib/reporting/plots.py" in e.reason and not e.tasks for e in entries)
    assert all("cvae_lib/modelling/losses.py" in e.reason for e in entries if e.step.name.startswith("train"))
    weights = {p: p.stat().st_mtime_ns for p in (out / "runs").glob("*/model.pt")}
    metrics = {p: p.stat().st_mtime_ns for p in (out / "runs").glob("*/metrics.json")}
    scores = {p: p.stat().st_mtime_ns for p in (out / "runs").glob("*/samplers.json")}
    planned = _planned(out)
    rerun = [s for s in planned if s.name in ("train-mlp-s0", "extensions")]  # the pages that hold the costly work
    for step in rerun:
        steps.apply_result(step, steps.execute_step(step, out, step.pdf_on))
    assert [s.status for s in rerun] == ["done", "done"]
    assert {p: p.stat().st_mtime_ns for p in weights} == weights
    assert {p: p.stat().st_mtime_ns for p in metrics} == metrics
    assert {p: p.stat().st_mtime_ns for p in scores} == scores
    after = {e.step.name: e for e in schedule.make_plan(_planned(out), out, torch_cpu())}
    assert after["train-mlp-s0"].current and after["extensions"].current and after["report"].reason

    monkeypatch.setattr(keys, "PACKAGE_DIR", original)  # the repository's code again, with a new training version
    none = objectives.OBJECTIVES["none"]
    monkeypatch.setitem(objectives.OBJECTIVES, "none", dataclasses.replace(none, version=none.version + 1))
    entries = {e.step.name: e for e in schedule.make_plan(_planned(out), out, torch_cpu())}
    for name in ("train-mlp-s0", "train-conv-s0"):
        assert [t.what for t in entries[name].tasks] == [f"train {name[6:]}", f"evaluate {name[6:]}"]
        assert "trained by training version" in entries[name].tasks[0].reason
    assert not entries["classifier"].tasks and entries["classifier"].current
    assert any(t.what == "latent samplers on mlp-s0" for t in entries["extensions"].tasks)
    assert entries["report"].reason  # the documents show those runs: they follow


def test_cli_rejects_a_bad_scale_before_running_anything(tmp_path):
    result = subprocess.run([sys.executable, "-m", "cvae_lib", "report", "--out", str(tmp_path / "r"),
                             "--epochs", "-1"], capture_output=True, text=True)
    assert result.returncode == 2 and "epochs must be a positive integer, got -1" in result.stderr
    assert not (tmp_path / "r").exists()

