"""tinynn's import graph, read with ``ast``: dependencies readable from the top of each file.

Rules (see book/code_layout.md):

* every import of a tinynn module sits at the top of its file (not inside a function,
  not below the first ``def``/``class``);
* no module inside the package imports the package root (``from .. import where``):
  it imports the module that defines the name;
* imports point down through the layers below (a module may import its own layer or
  any lower one).

The one stated back edge: ``Tensor`` <-> ``Function``. A ``Function`` builds its output
``Tensor`` (``_functions/*`` and ``autograd/function.py`` need ``tinynn._tensor``), and
the ``Tensor`` class calls the ``Function``s for its operators (``x + y`` is
``Add.apply(x, y)``). Those modules import ``_tensor`` as a module (``from .. import
_tensor``) and look ``_tensor.Tensor`` up when an op runs, after both are loaded.

Optional third-party packages that tinynn does not depend on (torch, matplotlib) are
imported inside the one function that uses them.

``ALLOWED`` lists today's violations, to shrink to nothing: a new one fails, and so does
an entry that no longer occurs (remove it when you fix it).
"""
from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "tinynn"

# Layers, lowest first. A module may import modules of its own layer or a lower one.
LAYERS: list[tuple[str, ...]] = [
    # 0: values and settings, no Tensor
    ("tinynn._dtype", "tinynn._types", "tinynn.return_types", "tinynn.random", "tinynn._tensor_str",
     "tinynn.cuda", "tinynn.utils.hooks", "tinynn.autograd.grad_mode"),
    # 1: the graph: Function, Node, the backward engine
    ("tinynn.autograd.function", "tinynn.autograd.engine"),
    # 2: the ops, one family per file
    ("tinynn._functions", "tinynn._ops"),
    # 3: the Tensor class
    ("tinynn._tensor",),
    # 4: built on Tensor: creation, printing, saving, the autograd API
    ("tinynn._creation", "tinynn.autograd"),
    # 5: libraries on top
    ("tinynn.nn", "tinynn.optim", "tinynn.utils", "tinynn.testing", "tinynn.viz",
     "tinynn.serialization"),
    # 6: the public namespace, which only re-exports
    ("tinynn",),
]

# The Tensor <-> Function back edge (see the module docstring).
BACK_EDGE_IMPORTERS = ("tinynn._functions", "tinynn.autograd.function")
BACK_EDGE_TARGET = "tinynn._tensor"

OPTIONAL_DEPENDENCIES = {"torch", "matplotlib"}

# (file, rule, imported module) -> how many times; today's violations, to shrink.
ALLOWED: Counter = Counter({
    ('tinynn/_dtype.py', 'import below code', 'tinynn._tensor'): 1,
    ('tinynn/_dtype.py', 'upward import', 'tinynn._tensor'): 1,
    ('tinynn/_tensor.py', 'in-function import', 'tinynn.autograd'): 1,
    ('tinynn/_tensor.py', 'upward import', 'tinynn.autograd'): 1,
    ('tinynn/autograd/__init__.py', 'import below code', 'tinynn.autograd.functional'): 1,
    ('tinynn/autograd/engine.py', 'in-function import', 'tinynn._creation'): 1,
    ('tinynn/autograd/engine.py', 'upward import', 'tinynn._creation'): 1,
    ('tinynn/autograd/function.py', 'import below code', 'tinynn._tensor'): 1,
    ('tinynn/autograd/gradcheck.py', 'in-function import', 'tinynn.autograd'): 2,
    ('tinynn/testing.py', 'imports the package root', 'tinynn'): 1,
})


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    rel = Path(*name.split("."))
    root = PACKAGE.parent
    return (root / rel).with_suffix(".py").is_file() or (root / rel / "__init__.py").is_file()


def _layer(name: str) -> int:
    best, best_len = None, -1
    for i, layer in enumerate(LAYERS):
        for prefix in layer:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = i, len(prefix)
    assert best is not None, f"{name} is in no layer: add it to LAYERS in {__file__}"
    return best


def _imports(path: Path):
    """Yield (lineno, target module, in_function, after_code, is_root_name) per import."""
    tree = ast.parse(path.read_text(), str(path))
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]

    def visit(node, in_function: bool, after_code: list):
        for child in ast.iter_child_nodes(node):
            top = node is tree
            if top and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                after_code[0] = True
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield child.lineno, alias.name, in_function, after_code[0] and top, False
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)]
                    source = ".".join(base + ([child.module] if child.module else []))
                else:
                    source = child.module
                for alias in child.names:
                    full = f"{source}.{alias.name}"
                    if source.startswith("tinynn") and _is_module(full):
                        yield child.lineno, full, in_function, after_code[0] and top, False
                    else:
                        yield (child.lineno, source, in_function, after_code[0] and top,
                               source == "tinynn")
            else:
                inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                yield from visit(child, inner, after_code)

    yield from visit(tree, False, [False])


def _violations() -> list[tuple[str, str, str, int]]:
    """(file, rule, target, line) for every import that breaks a rule."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).as_posix()
        me = _module_name(path)
        for line, target, in_function, after_code, root_name in _imports(path):
            ours = target == "tinynn" or target.startswith("tinynn.")
            if target == "__future__":
                continue
            if ours and me != "tinynn" and (root_name or target == "tinynn"):
                found.append((rel, "imports the package root", target, line))
                continue
            if in_function and target.split(".")[0] not in OPTIONAL_DEPENDENCIES:
                found.append((rel, "in-function import", target, line))
            if not ours:
                continue
            if after_code:
                found.append((rel, "import below code", target, line))
            if target == BACK_EDGE_TARGET and me.startswith(BACK_EDGE_IMPORTERS):
                continue
            if _layer(target) > _layer(me):
                found.append((rel, "upward import", target, line))
    return found


def test_every_module_is_in_a_layer():
    for path in PACKAGE.rglob("*.py"):
        _layer(_module_name(path))


def test_no_new_layout_violation():
    found = _violations()
    counts = Counter((f, rule, target) for f, rule, target, _ in found)
    new = [
        f"{f}:{line}: {rule} of {target}"
        for f, rule, target, line in found
        if counts[(f, rule, target)] > ALLOWED[(f, rule, target)]
    ]
    assert not new, (
        "imports that break the layout (tests/test_layout.py says why; import the defining "
        "module at the top of the file, from a lower layer):\n" + "\n".join(new)
    )


def test_allow_list_has_no_fixed_entries():
    counts = Counter((f, rule, target) for f, rule, target, _ in _violations())
    stale = [f"{key}: allowed {n}, found {counts[key]}" for key, n in ALLOWED.items() if counts[key] < n]
    assert not stale, "fixed: shrink ALLOWED in tests/test_layout.py:\n" + "\n".join(stale)
