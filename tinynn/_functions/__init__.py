"""tinynn's differentiable operations, one ``Function`` subclass per op.

Each file groups ops of one kind, each op's forward next to its backward:

* ``elementwise.py``: ``+ - * / ** %``, ``exp``, ``log``, ``tanh``, ``sinh``, ``relu``, ``where``, ...
* ``reduction.py``: ``sum``, ``mean``, ``max``, ``prod``, ``softmax``, ``logsumexp``, ``cumprod``, ...
* ``shape.py``: ``view``, ``permute``, ``expand``, ``cat``, ...
* ``indexing.py``: ``x[key]``, ``gather``, and the scatter ops their backward needs
* ``linalg.py``: ``matmul``, ``einsum``
"""
