"""``tinynn.nn.functional``: the stateless functions behind the layers (mirrors ``torch.nn.functional``)."""
from .activation import (celu, celu_, elu, elu_, gelu, glu, hardshrink, hardsigmoid, hardswish, hardtanh, hardtanh_,
                         leaky_relu, leaky_relu_, log_softmax, logsigmoid, mish, prelu, relu, relu6, relu_, selu, selu_,
                         sigmoid, silu, softmax, softmin, softplus, softshrink, softsign, tanh, tanhshrink, threshold,
                         threshold_)
from .distance import cosine_similarity, normalize, pairwise_distance
from .dropout import dropout
from .fold import fold, unfold
from .linear import linear
from .loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, huber_loss,
                   kl_div, l1_loss, mse_loss, nll_loss, smooth_l1_loss)
from .misc import one_hot
from .conv import conv1d, conv2d, conv_transpose2d
from .dropout import dropout2d
from .normalization import batch_norm, group_norm, instance_norm, layer_norm, rms_norm
from .padding import pad
from .pixelshuffle import pixel_shuffle, pixel_unshuffle
from .sparse import embedding
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from .upsampling import interpolate
from .attention import multi_head_attention_forward, scaled_dot_product_attention
