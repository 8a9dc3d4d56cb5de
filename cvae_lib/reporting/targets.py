"""The review's stricter target (review_table.targets gives each method's parts): who meets it, or how close the
closest method comes, said in the main text (target_sentence) and part by part in the appendix (target_detail)."""
from ..evaluation.review import JUDGES


def met_targets(entries: dict) -> list:
    """The methods (keys of ``entries``) that meet every part of the stricter target."""
    return [m for m, e in entries.items() if e.get("targets", {}).get("met")]


def _closest_to_target(entries: dict, word):
    """(closest, as close, each part it misses as words, how many parts) over the entries with "targets" (the most
    parts met, then the smallest CAS gap), or None where none has them."""
    scored = {m: e["targets"] for m, e in entries.items() if e.get("targets")}
    if not scored:
        return None

    def parts_met(m):
        return sum(bool(v) for k, v in scored[m].items() if k.endswith("_met"))
    closest = max(scored, key=lambda m: (parts_met(m), -scored[m].get("cas_gap", 1.0)))
    level = [m for m in scored if m != closest and parts_met(m) == parts_met(closest)]  # as close
    t, test = scored[closest], entries[closest]["test"]
    missed = []
    for judge in JUDGES:
        where = word(f"target_in_{judge}")
        if not t[f"{judge}_fd_met"]:
            missed.append(word("target_fd", where=where, ratio=t[f"{judge}_fd_ratio"]))
        for part, goal in (("recall", 0.5), ("precision", 0.85)):
            if not t[f"{judge}_{part}_met"]:
                missed.append(word(f"target_{part}", where=where, value=test[judge][part]["mean"], goal=goal))
    if "cas_met" in t and not t["cas_met"]:
        missed.append(word("target_cas", gap=t["cas_gap"]))
    return closest, level, missed, parts_met(closest), sum(1 for k in t if k.endswith("_met"))


def target_sentence(entries: dict, labels: dict, word) -> str:
    """The stricter target's outcome (each entry's "targets", review_table.targets): the methods that meet it, or
    the closest one (most parts met, then the smallest CAS gap) and how many parts it meets, with each part it
    misses, with its value, as the words "review_target_closest" choose to say them (target_detail's elsewhere)."""
    met = met_targets(entries)
    if met:
        return word("review_target_met", names=word("list_sep").join(labels[m] for m in met))
    found = _closest_to_target(entries, word)
    if found is None:
        return word("review_target_missed")
    closest, level, missed, n_met, n_parts = found
    return word("review_target_closest", name=labels[closest], n_met=n_met, n_parts=n_parts,
                missed=word("list_sep_strong").join(missed),
                also=word("target_also", names=word("list_sep").join(labels[m] for m in level)) if level else "")


def target_detail(entries: dict, labels: dict, word) -> str:
    """Each part of the target the closest method misses, with its value (the appendix's account of
    target_sentence); "" where a method meets it or none was scored against it."""
    found = None if met_targets(entries) else _closest_to_target(entries, word)
    if found is None:
        return ""
    closest, _, missed, _, _ = found
    return word("target_detail_closest", name=labels[closest], missed=word("list_sep_strong").join(missed))
