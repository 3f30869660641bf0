"""The checks for the exercise notebooks: ``from checks import check_softmax``.

Each ``check_<name>(fn)`` runs your ``fn`` and PyTorch on the same inputs, edge cases
included, prints ``✅ PASS <name>`` or ``❌ FAIL <name>: <what is wrong>`` with details, and
returns a :class:`~checks.core.CheckResult` (``.passed``, ``.category``, ``.message``).
A broken answer never crashes a check. The machinery is in ``core.py`` (with ``training.py``
for the training-loop exercises); the cases for each chapter are in ``tensors.py``,
``autograd.py``, ``modules_optim.py``, ``cnn.py``, ``rnn.py``, ``attention.py`` and ``faq.py``.
"""
from .autograd import (Node, check_make_sigmoid, check_matmul_backward, check_mul_backward,
                       check_softmax_backward, check_sum_backward, check_sum_to_shape,
                       check_tanh_backward, check_topo_sort)
from .cnn import (check_col2im, check_conv2d_backward, check_conv2d_forward,
                  check_conv_output_size, check_fit, check_im2col, check_maxpool2d_backward,
                  check_maxpool2d_forward)
from .core import CATEGORIES, CheckResult
from .modules_optim import (check_adam_step, check_bce_with_logits, check_cross_entropy,
                            check_cross_entropy_backward, check_linear_backward,
                            check_linear_forward, check_make_mlp, check_sgd_momentum_step)
from .tensors import (check_broadcast_shape, check_contiguous_strides, check_is_contiguous,
                      check_softmax, check_strides_of, check_view_strides)

# Later chapters' checks are imported below, one line per module.
from .rnn import (check_clip_grad_norm, check_embedding_backward, check_lstm_cell_forward, check_rnn_bptt, check_rnn_cell_forward, check_sample_with_temperature, check_train_tbptt)  # noqa: E501
from .attention import (check_causal_mask, check_layer_norm, check_layer_norm_backward, check_make_causal_self_attention, check_masked_attention, check_merge_heads, check_multi_head_attention, check_split_heads)  # noqa: E501
from .faq import (check_classify_one, check_make_adagrad, check_make_softplus, check_training_memory)  # noqa: E501

__all__ = [n for n in dir() if n.startswith("check_")] + ["CATEGORIES", "CheckResult", "Node"]
