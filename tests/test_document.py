"""The report document's text and numbers: both languages complete, templates filled from computed values only,
verdict words that follow the numbers, and the measurements the document states, against direct computations."""
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from cvae_lib.reporting import findings
from cvae_lib.reporting.document import PLACEHOLDER, Document, fill, texts
from cvae_lib.modelling.models import build_model


def _walk(a, b, path=""):
    assert type(a) is type(b), path
    if isinstance(a, dict):
        assert set(a) == set(b), (path, set(a) ^ set(b))
        for k in a:
            _walk(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _walk(x, y, f"{path}[{i}]")
    else:
        assert set(PLACEHOLDER.findall(a)) == set(PLACEHOLDER.findall(b)), (path, a, b)


def test_both_editions_have_the_same_keys_and_placeholders():
    _walk(texts("en"), texts("zh"))
    assert len(texts("zh")["words"]["classes"]) == 10
    assert re.search(r"[\u4e00-\u9fff]", texts("zh")["prose"]["abstract"])  # written in Chinese


@pytest.mark.parametrize("language", ["en", "zh"])
def test_no_key_of_an_edition_is_written_twice(language):
    import yaml
    from cvae_lib.reporting import document

    class Strict(yaml.SafeLoader):  # PyYAML keeps the last of two equal keys silently: here it is an error
        def construct_mapping(self, node, deep=False):
            keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
            twice = {k for k in keys if keys.count(k) > 1}
            assert not twice, f"{language}.yaml writes {sorted(twice)} twice"
            return super().construct_mapping(node, deep)
    path = Path(document.__file__).parent / "text" / f"{language}.yaml"
    yaml.load(path.read_text(encoding="utf-8"), Loader=Strict)


def test_fill_formats_values_and_refuses_a_value_that_was_not_computed():
    assert fill("{{n:,}} images, {{p:.1f}}%", {"n": 60000, "p": 22.41}) == "60,000 images, 22.4%"
    assert fill("{{{betas}}}", {"betas": "0.5, 1"}) == "{0.5, 1}"
    assert fill("{{d:+.2f}} and {{e:.1f}}, {{s}}", {"d": -1.5, "e": -0.04, "s": "-x"}) == "\u22121.50 and \u22120.0, -x"
    with pytest.raises(KeyError, match="'missing'"):
        fill("{{missing}}", {})


def _table(conv_better: bool):
    rows = []
    for arch, params, epoch in (("mlp", 913_296, 3.0), ("conv", 708_545, 12.0)):
        good = (arch == "conv") == conv_better
        for seed in range(3):
            rows.append({"architecture": arch, "seed": seed, "parameters": params, "seconds_per_epoch": epoch + seed,
                         "test_neg_iwae": (230.0 if good else 240.0) + 0.1 * seed,
                         "fd": (100.0 if good else 200.0) + seed, "conditional_accuracy": (0.9 if good else 0.8)
                         + 0.001 * seed})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_verdict_words_follow_the_numbers_in_both_languages(language):
    words = lambda key, **v: fill(texts(language)["words"][key], {"iwae_k": 1000, **v})  # noqa: E731
    wins, loses = findings.verdict_values(_table(True), words), findings.verdict_values(_table(False), words)
    # the bound is described; the metrics conv wins on are named, not "some"
    better = words("list_sep").join(words(f"metric_{c}").rstrip(" ↓↑") for c in ("conditional_accuracy", "fd"))
    assert wins["verdict_words"] == words("verdict_beats", better=better) and (wins["n_better"], wins["n_worse"]) == (2, 0)
    assert loses["verdict_words"] == words("verdict_all_worse") and (loses["n_better"], loses["n_worse"]) == (0, 2)
    assert wins["size_relation"] == words("fewer") and math.isclose(wins["pct_size"], 100 * (1 - 708_545 / 913_296))
    assert words("compute_remark", ratio=1.0, source="", flops="", on="")[:8] in wins["compute_remark"]  # smaller and slower: the remark
    faster = _table(True).assign(seconds_per_epoch=lambda t: t.seconds_per_epoch.where(t.architecture == "mlp", 1.0))
    assert findings.verdict_values(faster, words)["compute_remark"] == ""
    larger = _table(True).assign(parameters=lambda t: t.parameters.where(t.architecture == "mlp", 1_000_000))
    assert findings.verdict_values(larger, words)["size_relation"] == words("more")
    benchmarked = findings.verdict_values(faster, words, time_ratio=3.8)  # the controlled benchmark wins over epochs
    assert benchmarked["time_ratio"] == 3.8 and words("ratio_benchmark_one") in benchmarked["compute_remark"]
    assert "3.8" in benchmarked["compute_remark"] and words("ratio_epochs") in wins["compute_remark"]
    both = findings.verdict_values(faster, words, time_ratio=3.8, seed_loop_ratio=2.66)  # the original's loop beside it
    # one ratio in the main text, the controlled benchmark's: the plain loop's is in Appendix B's table only
    assert words("ratio_benchmark", seed_ratio=2.66) in both["compute_remark"] and "2.7" not in both["compute_remark"]
    # the arithmetic per image is another quantity, machine-independent: said beside the one time ratio
    flops = findings.verdict_values(faster, words, time_ratio=3.8, seed_loop_ratio=2.66, flop_ratio=6.03)
    assert words("flops_clause", flop_ratio=6.03) in flops["compute_remark"] and "6.0" in flops["compute_remark"]
    assert flops["flop_ratio"] == 6.03 and "2.7" not in flops["compute_remark"]
    on = words("bench_on", threads=2)  # the hardware the ratio was measured on, said beside it
    assert on in findings.verdict_values(faster, words, time_ratio=3.8, on=on)["compute_remark"]


def test_benchmark_time_ratio_reads_the_project_trainers_rows(tmp_path):
    csv = tmp_path / "train_throughput.csv"
    assert findings.benchmark_time_ratio(csv) is None  # not run: the caller falls back to epoch times
    pd.DataFrame({"architecture": ["mlp", "mlp", "conv", "conv"],
                  "variant": ["project trainer", "seed loop", "project trainer", "seed loop"],
                  "median_images_per_s": [24_000.0, 14_000.0, 6_000.0, 5_000.0]}).to_csv(csv, index=False)
    assert findings.benchmark_time_ratio(csv) == 4.0
    assert findings.benchmark_time_ratio(csv, "seed loop") == 2.8  # the original's loop, quoted beside it


def test_trends_are_named_by_their_shape():
    assert findings.trend([1, 2, 4], [1.0, 2.0, 3.0])["kind"] == "rises"
    assert findings.trend([1, 2, 4], [3.0, 2.0, 2.0])["kind"] == "falls"
    assert findings.trend([1, 2, 4, 8], [1.0, 3.0, 2.0, 0.5]) == {"kind": "peaks", "at": 2}
    assert findings.trend([1, 2, 4, 8], [3.0, 1.0, 2.0, 2.5]) == {"kind": "dips", "at": 2}
    assert findings.trend([1, 2, 4, 8], [1.0, 3.0, 1.0, 3.0])["kind"] == "mixed"
    words = lambda key, **v: fill(texts("en")["words"][key], v)  # noqa: E731
    assert findings.describe_trend([0.5, 1, 2], [3.0, 1.0, 2.0], words).startswith("is not monotone")


def test_layer_table_matches_the_models_parameter_counts_and_shapes():
    for arch, total, last in (("mlp", 913_296, "784"), ("conv", 708_545, "1×28×28")):
        rows = findings.layer_table(build_model(arch))
        assert sum(p for _, _, p in rows) == total and rows[-1][1] in (last, "1×28×28")


class _Encoder(torch.nn.Module):
    """A stub model whose posterior is N(m, s^2 I) for every image: the aggregate posterior is known."""
    def __init__(self, m, s):
        super().__init__()
        self.m, self.s, self.latent_size = m, s, 4
        self.dummy = torch.nn.Parameter(torch.zeros(()))

    def encode(self, x, y):
        n = x.shape[0]
        return torch.full((n, 4), self.m), torch.full((n, 4), 2 * math.log(self.s))


def test_prior_gap_is_zero_for_the_prior_and_matches_the_gaussian_kl_otherwise():
    x, y = torch.zeros(20_000, 1, 28, 28), torch.zeros(20_000, dtype=torch.long)
    assert findings.prior_gap(_Encoder(0.0, 1.0), x, y)["kl_to_prior"] < 0.01
    gap = findings.prior_gap(_Encoder(1.0, 0.5), x, y)
    expected = 0.5 * 4 * (0.25 + 1.0 - 1 - math.log(0.25))  # KL(N(1, 0.25 I) || N(0, I)) in 4 dimensions
    assert gap["kl_to_prior"] == pytest.approx(expected, rel=0.03)
    assert gap["prior_outside"] > 0.5  # most prior samples fall outside a narrow, shifted q(z)


class _ClassEncoder(_Encoder):
    """Posterior N(m * y, s^2 I): the codes of class 0 are the prior's when s = 1, those of class 1 shifted by m."""
    def encode(self, x, y):
        m, log_var = super().encode(x, y)
        return m * y.argmax(1, keepdim=True), log_var


def test_class_prior_gaps_find_the_one_class_whose_codes_are_shifted():
    x, y = torch.zeros(20_000, 1, 28, 28), torch.arange(2).repeat(10_000)
    gaps = findings.class_prior_gaps(_ClassEncoder(1.0, 1.0), x, y)
    assert gaps["class_kl_min"] < 0.01  # class 0: q(z | y) is the prior
    assert gaps["class_kl_max"] == pytest.approx(0.5 * 4 * 1.0, rel=0.05)  # class 1: KL(N(1, I) || N(0, I)) in 4-d
    assert gaps["class_out_min"] == pytest.approx(0.001, abs=0.002) and gaps["class_out_max"] > gaps["class_out_min"]
    # the per-class mean of prior_gap's quantities (Table 12): half of the two classes' KLs, 0 and 2
    mean = findings.class_mean_gap(_ClassEncoder(1.0, 1.0), x, y)
    assert set(mean) == {"kl_to_prior", "mean_std", "prior_outside"}
    assert mean["kl_to_prior"] == pytest.approx((gaps["class_kl_min"] + gaps["class_kl_max"]) / 2)
    assert mean["mean_std"] == pytest.approx(1.0, abs=0.02)  # each class's codes have unit spread
    # pooled, the two classes' codes spread wider than either class's: q(z) alone would hide the class structure
    assert findings.prior_gap(_ClassEncoder(1.0, 1.0), x, y)["mean_std"] > 1.05


def test_document_shows_html_and_latex_for_each_figure_and_table(tmp_path, capsys, monkeypatch):
    shown = []
    monkeypatch.setattr(Document, "_show", lambda self, h, latex: shown.append((h, latex)))
    doc = Document("zh", tmp_path / "figures", tmp_path)
    import matplotlib.pyplot as plt
    fig, _ = plt.subplots()
    assert doc.figure(fig, "f", "标题 caption_with_underscore") is None  # no repr below a notebook cell
    assert (tmp_path / "figures" / "f.png").is_file()
    html, latex = shown[-1]
    assert 'src="figures/f.png"' in html and 'alt="标题' in html and "图 1" in html
    assert "\\includegraphics" in latex and "caption\\_with\\_underscore" in latex
    doc.table([["a_b", "1"]], ["x", "y"], "表格")
    html, latex = shown[-1]
    assert "<table" in html and "表 1" in html and "a\\_" in latex and "tabularx" in latex
    doc.table([["a", "1", "2"]], ["x", "y", "z"], "widths", widths=[2, 1, 1])  # shares scaled to sum to 3
    assert "\\hsize=1.500\\hsize" in shown[-1][1] and shown[-1][1].count("\\hsize=0.750\\hsize") == 2
    assert "tabcolsep" not in shown[-1][1]  # LaTeX's own space between columns unless asked
    doc.table([["a", "1"]], ["x", "y"], "tight", colsep=3)
    assert shown[-1][1].index("\\setlength{\\tabcolsep}{3pt}") < shown[-1][1].index("\\begin{tabularx}")
    assert "rowcolor" not in shown[-1][1]  # no bands unless asked
    doc.table([["a", "1"], ["b", "2"], ["c", "3"]], ["x", "y"], "banded", banded=True)  # wrapped text: every second row
    assert shown[-1][1].count("\\rowcolor{black!7}") == 1 and "\\rowcolor{black!7}b" in shown[-1][1]
    with pytest.raises(ValueError, match="widths must be 3 positive numbers"):
        doc.table([["a", "1", "2"]], ["x", "y", "z"], "widths", widths=[1, 1])


def test_a_listing_keeps_its_lead_in_and_its_code_in_one_box(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(Document, "_show", lambda self, h, latex: shown.append((h, latex)))
    doc = Document("en", tmp_path / "figures", tmp_path)
    doc.listing("def f(x_1):\n    return x_1", "the code_of f", size="scriptsize")
    html, latex = shown[-1]
    assert "fontsize=\\scriptsize" in latex and "def f(x_1):\n    return x_1" in latex and "code\\_of" in latex
    box = latex.index("\\begin{minipage}")  # the lead-in and the code in one box: no page break between them
    assert box < latex.index("code\\_of") < latex.index("\\begin{Verbatim}") < latex.index("\\end{minipage}")
    assert "<pre>def f(x_1):" in html


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_text_files_define_each_key_once(language):
    """YAML keeps the last of two equal keys silently: a second definition would shadow the first."""
    import yaml

    from cvae_lib.reporting.document import TEXT_DIR

    class Strict(yaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
        assert not {k for k in keys if keys.count(k) > 1}, f"{language}.yaml defines a key twice"
        return yaml.SafeLoader.construct_mapping(loader, node, deep)
    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    yaml.load((TEXT_DIR / f"{language}.yaml").read_text(encoding="utf-8"), Loader=Strict)


def test_the_title_page_names_the_assignment_and_leaves_blanks_for_who_hands_it_in():
    from cvae_lib.base.config import Scale
    from cvae_lib.reporting.document import byline
    from cvae_lib.reporting.report import plan
    assert texts("zh")["words"]["title"] == "测试 VAE 拓展模型生成效果"
    assert texts("en")["words"]["title"] == "Testing the generation quality of VAE extension models"
    assert byline("en").count("__________") == 3
    assert byline("zh", "张三", "2024001", "") == "姓名：张三   学号：2024001   课程：__________"
    steps = {s.name: s for s in plan(Path("report-test"), Scale(), {"author": "A", "student_id": "42", "course": "C"})}
    assert steps["report"].parameters["student_id"] == "42"
    assert steps["report.zh"].document["author_line"] == "姓名：A   学号：42   课程：C"


def test_document_refuses_a_figure_illegible_in_print_and_names_it(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt
    from cvae_lib.reporting.document import IllegibleFigure
    shown = []
    monkeypatch.setattr(Document, "_show", lambda self, h, latex: shown.append((h, latex)))
    doc = Document("en", tmp_path / "figures", tmp_path)
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.text(0.1, 0.5, "too small to read", fontsize=4)
    from cvae_lib.reporting.legibility import A4_TEXT_WIDTH_IN
    share = f"{round(6 / A4_TEXT_WIDTH_IN, 2):.2f}".replace(".", r"\.")  # 6 in of the template's text width
    with pytest.raises(IllegibleFigure, match=rf"figure 'tiny' .* printed at {share} of the text width: text prints at 4"):
        doc.figure(fig, "tiny", "caption")
    assert (tmp_path / "figures" / "tiny.png").is_file()  # kept to look at, but not shown in the document
    assert "'too small to read'" in doc.legibility["tiny"][0] and shown == [] and doc.figure_count == 0


def test_table_cells_get_minus_signs_and_keep_a_value_with_its_uncertainty():
    from cvae_lib.reporting.document import NO_BREAK, minus_signs
    assert minus_signs("-1085.98 ± 3.19") == "\u22121085.98 ± 3.19"
    assert minus_signs("mlp-s0, 1e-3, x-1, +0.5") == "mlp-s0, 1e-3, x-1, +0.5"  # names and exponents stay
    tie = lambda s: NO_BREAK.sub(lambda m: m.group(0).replace(" ", "~"), s)  # noqa: E731
    assert tie("−1.0 ± 2.0 at τ = 0.7, z ∼ N(0, I)") == "−1.0~±~2.0 at τ~=~0.7, z~∼~N(0,~I)"


def test_the_monte_carlo_kl_has_the_closed_form_mean_and_a_standard_error_scaling_as_one_over_root_n():
    from cvae_lib.reporting import demos
    mu, log_var = torch.tensor([1.0, -0.5, 0.0]), torch.tensor([-1.0, 0.2, -2.0])
    kl = demos.kl_monte_carlo(mu, log_var, [10, 1_000, 100_000])
    closed = 0.5 * float((mu ** 2 + log_var.exp() - 1 - log_var).sum())
    assert kl.closed_form.iloc[0] == pytest.approx(closed)
    assert kl.std_error.iloc[0] / kl.std_error.iloc[-1] == pytest.approx(100.0)  # sqrt(100,000 / 10)
    assert abs(kl.monte_carlo.iloc[-1] - closed) < 4 * kl.std_error.iloc[-1]
    # the quoted error is the estimator's: the spread of many ten-draw estimates matches it
    repeats = [demos.kl_monte_carlo(mu, log_var, [10], seed=s, reference=1_000).monte_carlo.iloc[0] for s in range(300)]
    assert np.std(repeats) == pytest.approx(kl.std_error.iloc[0], rel=0.15)


def test_the_fitted_gaussian_kl_floor_is_the_small_sample_bias_of_a_perfect_match():
    """A Gaussian fitted to n draws of N(0, I) sits about d (d + 3) / (4 n) nats from it (the covariance's d (d + 1) / (4 n),
    the second-order bias of the sample log-determinant, plus the mean's d / (2 n)); the floor the report reads
    q(z | y)'s fit against."""
    from cvae_lib.reporting import demos
    for n, d in ((6000, 64), (2000, 16)):
        assert demos.fitted_gaussian_kl_floor(n, d, reps=8) == pytest.approx(d * (d + 3) / (4 * n), rel=0.05)
    assert demos.fitted_gaussian_kl_floor(60000, 8) < demos.fitted_gaussian_kl_floor(600, 8)  # vanishes with n
