"""``tinynn.nn``: modules, parameters, losses, init and functional (mirrors ``torch.nn``)."""
from . import functional, init, utils
from .modules import *  # noqa: F401,F403  (every layer: Linear, ReLU, Sequential, ...)
from .modules import Module
from .parameter import Buffer, Parameter
