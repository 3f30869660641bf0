"""``tinynn.nn.utils``: gradient clipping (mirrors ``torch.nn.utils``)."""
from . import clip_grad
from .clip_grad import clip_grad_norm_, clip_grad_value_
