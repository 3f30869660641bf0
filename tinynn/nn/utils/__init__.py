"""``tinynn.nn.utils``: gradient clipping and flattening parameters (mirrors ``torch.nn.utils``)."""
from . import clip_grad, convert_parameters, rnn
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters
