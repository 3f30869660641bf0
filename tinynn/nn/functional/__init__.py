"""``tinynn.nn.functional``: the stateless functions behind the layers (mirrors ``torch.nn.functional``)."""
from .activation import gelu, leaky_relu, log_softmax, relu, relu_, sigmoid, silu, softmax, softplus, tanh
from .dropout import dropout
from .linear import linear
from .loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, l1_loss,
                   mse_loss, nll_loss)
from .misc import one_hot
from .conv import conv1d, conv2d, conv_transpose2d
from .dropout import dropout2d
from .normalization import batch_norm
from .padding import pad
from .pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
