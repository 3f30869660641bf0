"""``tinynn.utils``: helpers that mirror ``torch.utils`` (``data``, ``hooks``)."""
from . import hooks
