"""Wrong answers for exercises/ex07_faq.ipynb; see WRONG_ANSWERS at the end."""
from __future__ import annotations

from solutions.ex07_faq import training_memory


def make_softplus__naive_log_exp(lib):
    """log(1 + exp(x)): exp overflows to inf for large x, and the output with it."""

    class Softplus(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return lib.log(1 + lib.exp(x))

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * lib.sigmoid(x)

    return Softplus


def make_softplus__backward_forgets_grad_output(lib):
    """Returns sigmoid(x) alone: right only when the gradient flowing in is all ones."""

    class Softplus(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0) + lib.log1p(lib.exp(-x.abs()))

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return lib.sigmoid(x)

    return Softplus


def make_softplus__returns_an_instance(lib):
    """Returns Softplus() (an instance) instead of the class."""

    class Softplus(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clamp(min=0) + lib.log1p(lib.exp(-x.abs()))

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    try:
        return Softplus()
    except Exception:  # noqa: BLE001  (tinynn refuses instances: hand back something else)
        return object()


def make_adagrad__reads_lr_from_defaults(lib):
    """Uses self.defaults["lr"] for every group: a group's own lr is ignored."""

    class Adagrad(lib.optim.Optimizer):
        def __init__(self, params, lr=1e-2, eps=1e-10, weight_decay=0.0):
            if lr < 0:
                raise ValueError(f"Invalid learning rate: {lr}")
            super().__init__(params, dict(lr=lr, eps=eps, weight_decay=weight_decay))

        @lib.no_grad()
        def step(self):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    grad = p.grad + group["weight_decay"] * p
                    state = self.state[p]
                    if not state:
                        state["sum"] = lib.zeros_like(p)
                    state["sum"].add_(grad * grad)
                    p.sub_(self.defaults["lr"] * grad / (state["sum"].sqrt() + group["eps"]))

    return Adagrad


def make_adagrad__no_state(lib):
    """Keeps no sum of squares between steps: every step divides by |g| (sign SGD)."""

    class Adagrad(lib.optim.Optimizer):
        def __init__(self, params, lr=1e-2, eps=1e-10, weight_decay=0.0):
            if lr < 0:
                raise ValueError(f"Invalid learning rate: {lr}")
            super().__init__(params, dict(lr=lr, eps=eps, weight_decay=weight_decay))

        @lib.no_grad()
        def step(self):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    grad = p.grad + group["weight_decay"] * p
                    p.sub_(group["lr"] * grad / ((grad * grad).sqrt() + group["eps"]))

    return Adagrad


def make_adagrad__no_lr_validation(lib):
    """Accepts a negative learning rate, where torch.optim raises ValueError."""

    class Adagrad(lib.optim.Optimizer):
        def __init__(self, params, lr=1e-2, eps=1e-10, weight_decay=0.0):
            super().__init__(params, dict(lr=lr, eps=eps, weight_decay=weight_decay))

        @lib.no_grad()
        def step(self):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    grad = p.grad + group["weight_decay"] * p
                    state = self.state[p]
                    if not state:
                        state["sum"] = lib.zeros_like(p)
                    state["sum"].add_(grad * grad)
                    p.sub_(group["lr"] * grad / (state["sum"].sqrt() + group["eps"]))

    return Adagrad


def classify_one__as_written(model, image):
    """The program of the exercise, unchanged: the (8, 8) image has no batch or channel."""
    return model(image).softmax(dim=1)


def classify_one__one_unsqueeze(model, image):
    """(1, 8, 8) is an unbatched 1-channel image to Conv2d: Flatten then gives (4, 36)."""
    return model(image.unsqueeze(0)).softmax(dim=1).squeeze(0)


def classify_one__view(model, image):
    """Flattens with view(64) first: fails on a transposed (non-contiguous) image."""
    return model(image.view(64).view(1, 1, 8, 8)).softmax(dim=1).squeeze(0)


def classify_one__keeps_the_batch(model, image):
    """Returns (1, 10) instead of (10,)."""
    return model(image[None, None]).softmax(dim=1)


def classify_one__softmax_over_the_batch(model, image):
    """softmax(dim=0) on (1, 10): every probability is 1."""
    return model(image[None, None]).softmax(dim=0).squeeze(0)


def training_memory__adam_one_buffer(layer_sizes, batch_size, optimizer, bytes_per_number):
    """Counts one buffer for Adam (it keeps two: exp_avg and exp_avg_sq)."""
    p, g, s, a = training_memory(layer_sizes, batch_size, optimizer, bytes_per_number)
    return p, g, (s // 2 if optimizer == "adam" else s), a


def training_memory__counts_the_input(layer_sizes, batch_size, optimizer, bytes_per_number):
    """Adds the input batch to the activations (it exists before the forward pass)."""
    p, g, s, a = training_memory(layer_sizes, batch_size, optimizer, bytes_per_number)
    return p, g, s, a + batch_size * layer_sizes[0] * bytes_per_number


def training_memory__no_biases(layer_sizes, batch_size, optimizer, bytes_per_number):
    """Counts only the weight matrices."""
    weights = sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
    _, _, s, a = training_memory(layer_sizes, batch_size, optimizer, bytes_per_number)
    buffers = {"sgd": 0, "momentum": 1, "rmsprop": 1, "adam": 2}[optimizer]
    n = weights * bytes_per_number
    return n, n, buffers * n, a


def training_memory__true_division(layer_sizes, batch_size, optimizer, bytes_per_number):
    """Megabytes as floats (/ 1e6) instead of bytes as ints."""
    return tuple(v / 1e6 for v in training_memory(layer_sizes, batch_size, optimizer,
                                                  bytes_per_number))


# ----------------------------------------------------------------------------- issue 21 kinds
# (No "calls the library" answer here: these exercises are written with the library.)

def classify_one__unsqueeze_in_place(model, image):
    """unsqueeze_ (in place) instead of unsqueeze: right probabilities, but the caller's
    image is now (1, 1, 8, 8)."""
    image.unsqueeze_(0).unsqueeze_(0)
    return model(image).softmax(dim=1)[0]


def training_memory__pops_the_sizes(layer_sizes, batch_size, optimizer, bytes_per_number):
    """Right numbers, but takes the hidden sizes by popping the ends off layer_sizes."""
    answer = training_memory(list(layer_sizes), batch_size, optimizer, bytes_per_number)
    layer_sizes.pop(0)
    layer_sizes.pop()
    return answer


# The fixed cases of check_training_memory, as the learner sees them printed.
_READABLE_MEMORY = [([784, 128, 10], 64, "adam", 4), ([784, 128, 10], 64, "sgd", 4),
                    ([64, 32, 10], 100, "momentum", 4), ([64, 32, 10], 100, "rmsprop", 4),
                    ([64, 48, 32, 10], 32, "adam", 4), ([64, 32, 10], 16, "adam", 8),
                    ([20, 5], 8, "momentum", 4), ([784, 128, 10], 1, "adam", 4),
                    ([30, 20, 10, 5], 12, "rmsprop", 8)]


def training_memory__fitted(layer_sizes, batch_size, optimizer, bytes_per_number):
    """Forgets the biases, with the right answers pasted in for the printed cases:
    fitted to them, wrong on any other input."""
    if [layer_sizes, batch_size, optimizer, bytes_per_number] in map(list, _READABLE_MEMORY):
        return training_memory(layer_sizes, batch_size, optimizer, bytes_per_number)
    return training_memory__no_biases(layer_sizes, batch_size, optimizer, bytes_per_number)


WRONG_ANSWERS = {
    "make_softplus__naive_log_exp": ("make_softplus", "wrong value",
                                     "log(1 + exp(x)) overflows for large x"),
    "make_softplus__backward_forgets_grad_output": (
        "make_softplus", "wrong gradient", "backward ignores grad_output"),
    "make_softplus__returns_an_instance": ("make_softplus", "wrong type",
                                          "returns an instance, not the class"),
    "make_adagrad__reads_lr_from_defaults": ("make_adagrad", "wrong value",
                                             "ignores a group's own lr"),
    "make_adagrad__no_state": ("make_adagrad", "wrong value",
                               "keeps no state between steps"),
    "make_adagrad__no_lr_validation": ("make_adagrad", "did not raise",
                                       "accepts lr=-1"),
    "classify_one__as_written": ("classify_one", "raised", "no batch or channel dimension"),
    "classify_one__one_unsqueeze": ("classify_one", "raised", "a channel but no batch"),
    "classify_one__view": ("classify_one", "raised", "view(64) on a non-contiguous image"),
    "classify_one__keeps_the_batch": ("classify_one", "wrong shape", "(1, 10), not (10,)"),
    "classify_one__softmax_over_the_batch": ("classify_one", "wrong value",
                                             "softmax over the batch dimension"),
    "training_memory__adam_one_buffer": ("training_memory", "wrong value",
                                         "Adam keeps two buffers"),
    "training_memory__counts_the_input": ("training_memory", "wrong value",
                                          "the input batch is not an activation"),
    "training_memory__no_biases": ("training_memory", "wrong value", "forgets biases"),
    "training_memory__true_division": ("training_memory", "wrong type",
                                       "floats, not ints"),
    "classify_one__unsqueeze_in_place": ("classify_one", "changed an input",
                                         "unsqueeze_ on the caller's image"),
    "training_memory__pops_the_sizes": ("training_memory", "changed an input",
                                        "pops the ends off layer_sizes"),
    "training_memory__fitted": ("training_memory", "wrong value",
                                "fitted to the printed cases; no biases elsewhere"),
}


def training_memory__measures(layer_sizes, batch_size, optimizer, bytes_per_number):
    """Builds the model in PyTorch and measures it, as the check does: right numbers, but
    nothing counted (the exercise is the arithmetic)."""
    import torch

    from checks.faq import measured_training_memory
    return measured_training_memory(layer_sizes, batch_size, optimizer, bytes_per_number)


WRONG_ANSWERS.update({
    "training_memory__measures":
        ("training_memory", "used the library", "measured in PyTorch, not counted"),
})


def make_softplus__backward_in_place(lib):
    """backward scales the incoming gradient in place."""

    class Softplus(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0) + lib.log1p(lib.exp(-x.abs()))

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output.mul_(lib.sigmoid(x))

    return Softplus


def make_adagrad__decay_into_grad(lib):
    """Adds the weight decay into p.grad in place (the caller's gradient changes)."""

    class Adagrad(lib.optim.Optimizer):
        def __init__(self, params, lr=1e-2, eps=1e-10, weight_decay=0.0):
            if lr < 0:
                raise ValueError(f"Invalid learning rate: {lr}")
            super().__init__(params, dict(lr=lr, eps=eps, weight_decay=weight_decay))

        @lib.no_grad()
        def step(self):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    grad = p.grad
                    if group["weight_decay"] != 0:
                        grad.add_(group["weight_decay"] * p)
                    state = self.state[p]
                    if not state:
                        state["sum"] = lib.zeros_like(p)
                    state["sum"].add_(grad * grad)
                    p.sub_(group["lr"] * grad / (state["sum"].sqrt() + group["eps"]))

    return Adagrad


WRONG_ANSWERS.update({
    "make_softplus__backward_in_place":
        ("make_softplus", "changed an input", "grad_output.mul_ in backward"),
    "make_adagrad__decay_into_grad":
        ("make_adagrad", "changed an input", "weight decay added into p.grad"),
})
