"""Print the differential suite's failures, one line per distinct problem, by family.

Usage (from the repository root)::

    .venv/bin/python tests/differential/report.py               # every family
    .venv/bin/python tests/differential/report.py reduction nn  # some families
    .venv/bin/python tests/differential/report.py --write DIR ...  # also DIR/<family>.md
    .venv/bin/python tests/differential/report.py [--write DIR] --random N ...  # + N random cases

Each line names the op, the forms it fails in, what differs, how many cases show it, and the
smallest case as a reproducer (inputs written as ``f64[2, 3](rg)=[...]``: dtype, shape, a
``.T``/``.step`` non-contiguous view, whether it requires grad, and the values) with both
libraries' results.
"""
from __future__ import annotations

import datetime
import os
import re
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import Arr, run_op_form  # noqa: E402
from opinfo import OPS  # noqa: E402


def _template(text: str) -> str:
    text = re.sub(r"\(tinynn tensor.*", "", text)
    text = re.sub(r"tensor\[[^\]]*\][^;]*", "tensor", text)
    text = re.sub(r"\[[^\]]*\]", "[]", text)
    text = re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "#", text)
    return text[:150]


def _family(op, form: str, sample) -> str:
    """The op's family; an in-place write into a non-contiguous view goes to 'inplace'."""
    first = sample.args[0] if sample.args else None
    if form in ("inplace", "ioperator", "setitem") and isinstance(first, Arr) and first.view:
        return "inplace"
    return op.family


def collect(families: list[str]) -> dict:
    """Failures grouped by (family, kind of problem): one group is one bug, or one bug shared
    by several ops of the family."""
    groups: dict = defaultdict(list)
    for op in OPS:
        if families and op.family not in families:
            continue
        for form in op.forms:
            records: list = []
            run_op_form(op, form, op.samples_for(form), records)
            for _, _, sample, problem in records:
                family = _family(op, form, sample)
                if problem.what.startswith("tinynn lacks"):  # one line per family for these
                    attr = problem.what.split("'")[1]
                    groups[(family, "(missing)", attr)].append((op.name, form, sample, problem))
                    continue
                key = (family, _template(problem.what), problem.torch_exc)
                groups[key].append((op.name, form, sample, problem))
    return groups


def explore(families: list[str], n: int, groups: dict) -> None:
    """Add the failures of ``n`` random cases (test_random's generator, seeded) to ``groups``."""
    import random
    import warnings

    from hypothesis import strategies as st
    from hypothesis.errors import NonInteractiveExampleWarning
    from test_random import BIG_INT_FAMILIES, varied

    rng = random.Random(0)
    pairs = [(op, form) for op in OPS if not families or op.family in families for form in op.forms]
    warnings.simplefilter("ignore", NonInteractiveExampleWarning)
    for _ in range(n):
        op, form = rng.choice(pairs)
        samples = op.samples_for(form)
        if not samples:
            continue
        strategy = varied(rng.choice(samples), op.family in BIG_INT_FAMILIES)
        sample = st.just(None).flatmap(lambda _: strategy).example()
        records: list = []
        from harness import check
        for problem in check(op, form, sample):
            records.append((op, form, sample, problem))
        for _, _, s, problem in records:
            family = _family(op, form, s)
            if problem.what.startswith("tinynn lacks"):
                groups[(family, "(missing)", problem.what.split("'")[1])].append((op.name, form, s, problem))
            else:
                groups[(family, _template(problem.what), problem.torch_exc)].append((op.name, form, s, problem))


def main(argv: list[str]) -> int:
    write_dir = None
    n_random = 0
    if argv[:1] == ["--write"]:
        write_dir, argv = argv[1], argv[2:]
    if argv[:1] == ["--random"]:
        n_random, argv = int(argv[1]), argv[2:]
    groups = collect(argv)
    if n_random:
        explore(argv, n_random, groups)
    by_family: dict = defaultdict(list)
    missing: dict = defaultdict(set)
    for (family, kind, what), items in groups.items():
        if kind == "(missing)":
            missing[family].add(what)
            continue
        names = sorted({it[0] for it in items})
        forms = sorted({it[1] for it in items})
        name, form, sample, problem = min(items, key=lambda it: (len(it[2].describe()), it[1]))
        by_family[family].append(
            f"- {problem.what.splitlines()[0][:220]} -- ops {', '.join(names)} [{', '.join(forms)}], "
            f"{len(items)} cases. Smallest: `{name}` [{form}] {sample.describe()[:300]} -> "
            f"torch: {problem.torch[:160]} | tinynn: {problem.tinynn[:160]}".replace("\n", " "))
    for family, names in missing.items():
        by_family[family].insert(0, "- missing (PyTorch has them; tinynn raises AttributeError): "
                                 + ", ".join(f"`{n}`" for n in sorted(names)))
    if write_dir:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        families = ("elementwise", "unary", "reduction", "sorting", "comparison", "cumulative", "shape",
                    "indexing", "linalg", "inplace", "nn")
        for family in sorted(set(by_family) | set(argv or families)):
            lines = sorted(by_family.get(family, []))
            with open(os.path.join(write_dir, f"{family}.md"), "w", encoding="utf-8") as f:
                f.write(f"# {family}: differential-suite failures ({len(lines)} distinct)\n\n"
                        f"Written by tests/differential/report.py (helper D) at {stamp} from the working "
                        "tree, and rewritten on each run: a fixed bug drops out. One line per kind of "
                        "problem (ops sharing it listed); inputs as dtype[shape](rg)=values, .T/.step = "
                        "non-contiguous view. Rerun one op: `.venv/bin/python -m pytest -q "
                        "tests/differential -k 'OPNAME'`; this family: `.venv/bin/python "
                        f"tests/differential/report.py {family}`.\n\n" + "\n".join(lines) + "\n")
    for family in sorted(by_family):
        print(f"## {family} ({len(by_family[family])} distinct)")
        print("\n".join(sorted(by_family[family])))
        print()
    return 1 if groups else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
