"""tinynn's differentiable operations, one ``Function`` subclass per op.

Each file groups ops of one kind, each op's forward next to its backward:

* ``elementwise.py``: ``+ - * / // ** %``, ``maximum``, ``clamp``, ``where``, ``atan2``, ``lerp``, ...
* ``unary.py``: ``exp``, ``log``, ``sqrt``, ``abs``, ``sin``, ``tanh``, ``sigmoid``, ``relu``, ``erf``, rounding, ...
* ``comparison.py``: ``== != < <= > >=``, ``& | ^ ~``, ``logical_*``, ``isnan``, ``isclose``, ... (no gradient)
* ``reduction.py``: ``sum``, ``mean``, ``prod``, ``max``, ``argmax``, ``all``, ``var``, ``norm``, ``softmax``, ...
* ``cumulative.py``: ``cumsum``, ``cumprod``, ``cummax``, ``cummin``, ``diff``
* ``shape.py``: ``view``, ``reshape``, ``permute``, ``expand``, ``cat``, ``split``, ``flip``, ...
* ``indexing.py``: ``x[key]``, ``x[key] = value``, ``gather``, ``scatter_add``, ``masked_fill``, ...
* ``linalg.py``: ``matmul``, ``mm``, ``bmm``, ``dot``, ``mv``, ``outer``, ``addmm``
* ``einsum.py``: ``einsum``
* ``sorting.py``: ``argsort``, ``sort``, ``topk``, ``median``, ``unique``
* ``out.py``: ``write_out``, the ``out=`` argument of the public functions

An op's public function (argument checks, ``out=``), where it has one, follows its
``Function`` in the same file; ``tinynn/__init__.py`` re-exports it.
"""
