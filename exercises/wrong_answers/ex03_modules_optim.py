"""Wrong answers for exercises/ex03_modules_optim.ipynb; see WRONG_ANSWERS at the end."""
from __future__ import annotations

import numpy as np


def linear_forward__missing_bias(x, weight, bias):
    """Forgets to add the bias."""
    return x @ weight.T


def linear_forward__transposed(x, weight, bias):
    """Returns the transpose of the right answer: (out_features, batch)."""
    return (x @ weight.T + bias).T


def linear_forward__squeezes_batch(x, weight, bias):
    """np.squeeze "to tidy up": a batch of 1 loses its batch dimension. Works only for batch > 1."""
    y = np.squeeze(x @ weight.T)
    return y if bias is None else y + bias


def linear_forward__no_transpose(x, weight, bias):
    """x @ weight without .T: (N, in) @ (out, in) does not line up."""
    return x @ weight + bias


def linear_backward__grad_weight_transposed(grad_output, x, weight):
    """dL/dW = x^T G: (in_features, out_features), the transpose of weight's shape."""
    g = grad_output.reshape(-1, grad_output.shape[-1])
    x2 = x.reshape(-1, x.shape[-1])
    return grad_output @ weight, x2.T @ g, g.sum(axis=0)


def linear_backward__bias_not_summed(grad_output, x, weight):
    """dL/db = G: one bias gradient per sample instead of their sum."""
    g = grad_output.reshape(-1, grad_output.shape[-1])
    x2 = x.reshape(-1, x.shape[-1])
    return grad_output @ weight, g.T @ x2, grad_output


def linear_backward__2d_only(grad_output, x, weight):
    """Right for a 2-d batch; with extra leading dimensions .T reverses every axis."""
    return grad_output @ weight, grad_output.T @ x, grad_output.sum(axis=0)


def bce_with_logits__naive(logits, target):
    """-(y log s + (1 - y) log(1 - s)), s = sigmoid(z): log(0) = -inf once s rounds to 0 or 1."""
    s = 1 / (1 + np.exp(-logits))
    return np.mean(-(target * np.log(s) + (1 - target) * np.log(1 - s)))


def bce_with_logits__sum(logits, target):
    """Sums the per-element losses instead of averaging them."""
    z, y = logits, target
    return np.sum(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))


def cross_entropy__unstable(logits, target):
    """log(sum(exp(z))) without the max shift: exp(1e4) = inf."""
    n = logits.shape[0]
    lse = np.log(np.sum(np.exp(logits), axis=1))
    return np.mean(lse - logits[np.arange(n), target])


def cross_entropy__squeezes_batch(logits, target):
    """np.squeeze the logits: with a batch of 1 they become 1-d and axis=1 no longer exists."""
    logits = np.squeeze(logits)
    n = logits.shape[0]
    m = np.max(logits, axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(logits - m), axis=1))
    return np.mean(lse - logits[np.arange(n), target])


def cross_entropy__per_sample(logits, target):
    """Returns the N per-sample losses, not their mean."""
    n = logits.shape[0]
    m = np.max(logits, axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(logits - m), axis=1))
    return lse - logits[np.arange(n), target]


def cross_entropy_backward__forgot_mean(logits, target):
    """softmax - one_hot, without the 1/N of the mean."""
    n = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    grad = e / e.sum(axis=1, keepdims=True)
    grad[np.arange(n), target] -= 1
    return grad


def cross_entropy_backward__unstable(logits, target):
    """softmax without the max shift: nan at logits of 1e4."""
    n = logits.shape[0]
    e = np.exp(logits)
    grad = e / e.sum(axis=1, keepdims=True)
    grad[np.arange(n), target] -= 1
    return grad / n


def cross_entropy_backward__global_max(logits, target):
    """Shifts by the maximum of the whole batch: a row far below it becomes 0 / 0."""
    n = logits.shape[0]
    e = np.exp(logits - logits.max())
    grad = e / e.sum(axis=1, keepdims=True)
    grad[np.arange(n), target] -= 1
    return grad / n


def sgd_momentum_step__zero_buffer(param, grad, buf, lr, momentum, dampening, nesterov,
                                   weight_decay):
    """Starts the buffer at zeros, so the first step is damped (PyTorch starts it at g)."""
    g = grad + weight_decay * param
    if momentum != 0:
        buf = np.zeros_like(param) if buf is None else buf
        buf = momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    return param - lr * g, buf


def sgd_momentum_step__decay_only_with_momentum(param, grad, buf, lr, momentum, dampening, nesterov,
                                              weight_decay):
    """Adds the weight decay inside the momentum branch, so plain SGD never decays."""
    g = grad
    if momentum != 0:
        g = g + weight_decay * param
        buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    return param - lr * g, buf


def sgd_momentum_step__ignores_nesterov(param, grad, buf, lr, momentum, dampening, nesterov,
                                        weight_decay):
    """Classical momentum even when nesterov=True."""
    g = grad + weight_decay * param
    if momentum != 0:
        buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
        g = buf
    return param - lr * g, buf


def sgd_momentum_step__decoupled_decay(param, grad, buf, lr, momentum, dampening, nesterov,
                                       weight_decay):
    """Weight decay applied to the parameter directly, outside the momentum (not PyTorch's SGD)."""
    g = grad
    if momentum != 0:
        buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    return param - lr * g - lr * weight_decay * param, buf


def adam_step__no_bias_correction(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
                                  step, lr, betas, eps, weight_decay, amsgrad, maximize):
    """Uses m and v directly: the first steps are far too small (m starts at 0)."""
    beta1, beta2 = betas
    grad = grad + weight_decay * param
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
    return (param - lr * exp_avg / (np.sqrt(exp_avg_sq) + eps), exp_avg, exp_avg_sq,
            max_exp_avg_sq)


def adam_step__eps_inside_sqrt(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
                               step, lr, betas, eps, weight_decay, amsgrad, maximize):
    """sqrt(v_hat + eps) instead of sqrt(v_hat) + eps: wrong when gradients are tiny."""
    beta1, beta2 = betas
    grad = grad + weight_decay * param
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
    m_hat = exp_avg / (1 - beta1 ** step)
    v_hat = exp_avg_sq / (1 - beta2 ** step)
    return (param - lr * m_hat / np.sqrt(v_hat + eps), exp_avg, exp_avg_sq,
            max_exp_avg_sq)


def adam_step__adamw_decay(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
                           step, lr, betas, eps, weight_decay, amsgrad, maximize):
    """AdamW's decoupled decay, where Adam adds weight_decay * param to the gradient."""
    beta1, beta2 = betas
    param = param * (1 - lr * weight_decay)
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
    m_hat = exp_avg / (1 - beta1 ** step)
    v_hat = exp_avg_sq / (1 - beta2 ** step)
    return (param - lr * m_hat / (np.sqrt(v_hat) + eps), exp_avg, exp_avg_sq,
            max_exp_avg_sq)


def adam_step__returns_param_only(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
                                  step, lr, betas, eps, weight_decay, amsgrad, maximize):
    """Returns only the new parameter: the moments are lost between steps."""
    beta1, beta2 = betas
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
    m_hat = exp_avg / (1 - beta1 ** step)
    v_hat = exp_avg_sq / (1 - beta2 ** step)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps)


WRONG_ANSWERS = {  # name: (exercise, category the check must report, the mistake)
    "linear_forward__missing_bias":
        ("linear_forward", "wrong value", "a missing bias"),
    "linear_forward__transposed":
        ("linear_forward", "wrong shape", "a transposed result"),
    "linear_forward__squeezes_batch":
        ("linear_forward", "wrong shape", "works only for batch size > 1"),
    "linear_forward__no_transpose":
        ("linear_forward", "raised", "x @ weight without .T"),
    "linear_backward__grad_weight_transposed":
        ("linear_backward", "wrong shape", "a transposed grad_weight"),
    "linear_backward__bias_not_summed":
        ("linear_backward", "wrong shape", "grad_bias not summed over the batch"),
    "linear_backward__2d_only":
        ("linear_backward", "raised", ".T breaks with extra leading dimensions"),
    "bce_with_logits__naive":
        ("bce_with_logits", "wrong value", "log(sigmoid) overflows to inf"),
    "bce_with_logits__sum":
        ("bce_with_logits", "wrong value", "sum instead of mean"),
    "cross_entropy__unstable":
        ("cross_entropy", "wrong value", "overflows at logits of 1e4"),
    "cross_entropy__squeezes_batch":
        ("cross_entropy", "raised", "works only for batch size > 1"),
    "cross_entropy__per_sample":
        ("cross_entropy", "wrong shape", "no mean: N losses"),
    "cross_entropy_backward__forgot_mean":
        ("cross_entropy_backward", "wrong gradient", "missing 1/N"),
    "cross_entropy_backward__unstable":
        ("cross_entropy_backward", "wrong gradient", "nan at logits of 1e4"),
    "cross_entropy_backward__global_max":
        ("cross_entropy_backward", "wrong gradient", "one maximum for the whole batch"),
    "sgd_momentum_step__zero_buffer":
        ("sgd_momentum_step", "wrong value", "buffer starts at 0, damped first step"),
    "sgd_momentum_step__decay_only_with_momentum":
        ("sgd_momentum_step", "wrong value", "no weight decay without momentum"),
    "sgd_momentum_step__ignores_nesterov":
        ("sgd_momentum_step", "wrong value", "nesterov ignored"),
    "sgd_momentum_step__decoupled_decay":
        ("sgd_momentum_step", "wrong value", "weight decay outside the momentum"),
    "adam_step__no_bias_correction":
        ("adam_step", "wrong value", "no bias correction"),
    "adam_step__eps_inside_sqrt":
        ("adam_step", "wrong value", "eps inside the square root"),
    "adam_step__adamw_decay":
        ("adam_step", "wrong value", "AdamW's decay instead of Adam's L2"),
    "adam_step__returns_param_only":
        ("adam_step", "wrong type", "returns the parameter only"),
}


# ----------------------------------------------------------------------------- issue 21 kinds

def linear_forward__no_transpose(x, weight, bias):
    """x @ weight: weight is (out_features, in_features), so the shapes do not line up."""
    y = x @ weight
    return y if bias is None else y + bias


def linear_forward__no_bias_float64(x, weight, bias):
    """Without bias, starts from np.zeros(...) (float64): float32 is lost on that branch."""
    y = x @ weight.T
    if bias is None:
        return np.zeros(y.shape) + y
    return y + bias


def linear_forward__torch(x, weight, bias):
    """Calls torch.nn.functional.linear."""
    import torch
    import torch.nn.functional as F
    b = None if bias is None else torch.from_numpy(bias)
    return F.linear(torch.from_numpy(x), torch.from_numpy(weight), b).numpy()


def linear_backward__overwrites_grad_output(grad_output, x, weight):
    """Scales grad_output in place while computing grad_bias."""
    grad_x = grad_output @ weight
    g = grad_output.reshape(-1, grad_output.shape[-1])
    grad_weight = g.T @ x.reshape(-1, x.shape[-1])
    grad_bias = g.sum(axis=0)
    g *= 0  # "clears" the gradient once used
    return grad_x, grad_weight, grad_bias


def bce_with_logits__python_float(logits, target):
    """Right formula, returned as float(...): a Python float has no dtype."""
    z, y = logits, target
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def cross_entropy__tinynn(logits, target):
    """Calls tinynn's cross_entropy."""
    import tinynn
    import tinynn.nn.functional as F
    return F.cross_entropy(tinynn.tensor(logits), tinynn.tensor(target)).numpy()


def cross_entropy__clamped(logits, target):
    """Clips the logits to +-80 before exp instead of subtracting the row maximum."""
    z = np.clip(logits, -80, 80)
    n = z.shape[0]
    log_p = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.mean(log_p[np.arange(n), target])


def sgd_momentum_step__nesterov_without_decay(param, grad, buf, lr, momentum, dampening,
                                              nesterov, weight_decay):
    """Adds weight decay into the buffer, but the Nesterov look-ahead uses the raw grad."""
    g = grad + weight_decay * param
    if momentum != 0:
        buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
        g = grad + momentum * buf if nesterov else buf
    return param - lr * g, buf


def sgd_momentum_step__decay_into_grad(param, grad, buf, lr, momentum, dampening, nesterov,
                                       weight_decay):
    """Adds weight decay into grad itself (grad +=): the parameter's gradient changes."""
    grad += weight_decay * param
    g = grad
    if momentum != 0:
        buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    return param - lr * g, buf


def adam_step__fixed_eps(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
                         step, lr, betas, eps, weight_decay, amsgrad, maximize):
    """Hard-codes eps = 1e-8 (the default) instead of using the argument."""
    beta1, beta2 = betas
    if weight_decay != 0:
        grad = grad + weight_decay * param
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
    m_hat = exp_avg / (1 - beta1 ** step)
    v_hat = exp_avg_sq / (1 - beta2 ** step)
    return (param - lr * m_hat / (np.sqrt(v_hat) + 1e-8), exp_avg, exp_avg_sq,
            max_exp_avg_sq)


def adam_step__endless(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
                       step, lr, betas, eps, weight_decay, amsgrad, maximize):
    """Waits for the bias correction to reach 1, which it never does exactly."""
    beta1, _ = betas
    correction = 1 - beta1 ** step
    while correction < 1:
        correction = 1 - beta1 ** step
    return param, exp_avg, exp_avg_sq, max_exp_avg_sq


WRONG_ANSWERS.update({
    "linear_forward__no_transpose": ("linear_forward", "raised", "x @ weight"),
    "linear_forward__no_bias_float64":
        ("linear_forward", "wrong dtype", "float32 lost without bias"),
    "linear_forward__torch": ("linear_forward", "used the library", "F.linear"),
    "linear_backward__overwrites_grad_output":
        ("linear_backward", "changed an input", "grad_output zeroed in place"),
    "bce_with_logits__python_float": ("bce_with_logits", "wrong type", "a Python float"),
    "cross_entropy__tinynn": ("cross_entropy", "used the library", "tinynn's cross_entropy"),
    "cross_entropy__clamped": ("cross_entropy", "wrong value", "clipping instead of shifting"),
    "sgd_momentum_step__nesterov_without_decay":
        ("sgd_momentum_step", "wrong value", "Nesterov look-ahead without weight decay"),
    "sgd_momentum_step__decay_into_grad":
        ("sgd_momentum_step", "changed an input", "grad += weight_decay * param"),
    "adam_step__fixed_eps": ("adam_step", "wrong value", "eps hard-coded to 1e-8"),
    "adam_step__endless": ("adam_step", "timed out", "a loop that never ends"),
})


def make_mlp__plain_list(lib):
    """Keeps the layers in a plain Python list: nothing is registered, the state_dict is
    empty and the PyTorch weights have nowhere to go."""

    class MLP(lib.nn.Module):
        def __init__(self, sizes):
            super().__init__()
            self.layers = [lib.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]

        def forward(self, x):
            for layer in self.layers[:-1]:
                x = lib.tanh(layer(x))
            return self.layers[-1](x)

    return MLP


def make_mlp__tanh_after_last(lib):
    """Applies tanh after the last layer too: the outputs are squashed into (-1, 1)."""

    class MLP(lib.nn.Module):
        def __init__(self, sizes):
            super().__init__()
            self.layers = lib.nn.ModuleList(
                [lib.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])

        def forward(self, x):
            for layer in self.layers:
                x = lib.tanh(layer(x))
            return x

    return MLP


WRONG_ANSWERS.update({
    "make_mlp__plain_list": ("make_mlp", "wrong value", "layers in a plain list"),
    "make_mlp__tanh_after_last": ("make_mlp", "wrong value", "tanh after the last layer"),
})


# ----------------------------------------------------------------------------- amsgrad, maximize

def _adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, betas, eps,
          weight_decay, amsgrad, maximize, *, decay_first=False, max_of_v_hat=False):
    """Adam with one of two mistakes (see the wrong answers below)."""
    beta1, beta2 = betas
    if decay_first and weight_decay != 0:
        grad = grad + weight_decay * param
    if maximize:
        grad = -grad
    if not decay_first and weight_decay != 0:
        grad = grad + weight_decay * param
    exp_avg = beta1 * exp_avg + (1 - beta1) * grad
    exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * grad * grad
    v_hat = exp_avg_sq / (1 - beta2 ** step)
    if amsgrad and max_of_v_hat:
        max_exp_avg_sq = np.maximum(max_exp_avg_sq, v_hat)
        v_hat = max_exp_avg_sq
    elif amsgrad:
        max_exp_avg_sq = np.maximum(max_exp_avg_sq, exp_avg_sq)
        v_hat = max_exp_avg_sq / (1 - beta2 ** step)
    m_hat = exp_avg / (1 - beta1 ** step)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), exp_avg, exp_avg_sq, max_exp_avg_sq


def adam_step__ignores_amsgrad(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
                               step, lr, betas, eps, weight_decay, amsgrad, maximize):
    """Plain Adam whatever amsgrad says."""
    return _adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, betas, eps,
                 weight_decay, False, maximize)


def adam_step__amsgrad_max_of_v_hat(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
                                    step, lr, betas, eps, weight_decay, amsgrad,
                                    maximize):
    """Keeps the maximum of the bias-corrected v_hat, where PyTorch keeps that of v."""
    return _adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, betas, eps,
                 weight_decay, amsgrad, maximize, max_of_v_hat=True)


def adam_step__ignores_maximize(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
                                step, lr, betas, eps, weight_decay, amsgrad, maximize):
    """Always descends."""
    return _adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, betas, eps,
                 weight_decay, amsgrad, False)


def adam_step__maximize_after_decay(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
                                    step, lr, betas, eps, weight_decay, amsgrad,
                                    maximize):
    """Adds the weight decay before flipping the sign: the decay then pushes the
    parameter away from 0."""
    return _adam(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, betas, eps,
                 weight_decay, amsgrad, maximize, decay_first=True)


WRONG_ANSWERS.update({
    "adam_step__ignores_amsgrad": ("adam_step", "wrong value", "amsgrad ignored"),
    "adam_step__amsgrad_max_of_v_hat":
        ("adam_step", "wrong value", "amsgrad's maximum of v_hat instead of v"),
    "adam_step__ignores_maximize": ("adam_step", "wrong value", "maximize ignored"),
    "adam_step__maximize_after_decay":
        ("adam_step", "wrong value", "weight decay added before maximize's sign flip"),
})
