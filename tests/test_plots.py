"""Figures checked for what a printed page makes of them."""


def test_legibility_flags_text_too_small_in_print_and_overlapping_labels():
    import matplotlib.pyplot as plt
    from cvae_lib.reporting.plots import legibility_problems
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("epoch", fontsize=10)
    assert legibility_problems(fig) == []  # 6 in wide printed 6.1 in wide: 10 pt stays 10 pt
    big, ax2 = plt.subplots(figsize=(24, 12))  # four times wider than print: 10 pt prints at about 2.6 pt
    ax2.plot([0, 1], [0, 1])
    ax2.set_xlabel("epoch", fontsize=10)
    problems = legibility_problems(big)
    assert len(problems) == 1 and "text prints at 3." in problems[0] and "under 7 pt" in problems[0]
    ax.text(0.5, 0.5, "first label")
    ax.text(0.52, 0.5, "second label")
    assert any("labels overlap: 'first label' and 'second label'" in p for p in legibility_problems(fig))
    plt.close("all")
