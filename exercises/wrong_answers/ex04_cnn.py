"""Wrong answers for exercises/ex04_cnn.ipynb; see WRONG_ANSWERS at the end."""
from __future__ import annotations

import numpy as np

from solutions.ex04_cnn import col2im, conv_output_size, im2col


def conv_output_size__true_division(size, kernel_size, stride=1, padding=0, dilation=1):
    """/ instead of //: a float, and not rounded down."""
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1


def conv_output_size__ignores_dilation(size, kernel_size, stride=1, padding=0, dilation=1):
    """Treats a dilated kernel as if it spanned only kernel_size inputs."""
    return (size + 2 * padding - kernel_size) // stride + 1


def im2col__ignores_padding(x, kh, kw, stride, padding):
    """Never pads the input: too few output positions."""
    return im2col(x, kh, kw, stride, 0)


def im2col__offsets_swapped(x, kh, kw, stride, padding):
    """Rows ordered by (channel, column offset j, row offset i) instead of (channel, i, j)."""
    n, c, h, w = x.shape
    out_h = conv_output_size(h, kh, stride, padding)
    out_w = conv_output_size(w, kw, stride, padding)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    cols = np.empty((n, c, kw, kh, out_h, out_w), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, j, i] = xp[:, :, i:i + stride * out_h:stride, j:j + stride * out_w:stride]
    return cols.reshape(n, c * kh * kw, out_h * out_w)


def conv2d_forward__missing_bias(x, weight, bias, stride, padding):
    """Forgets to add the bias."""
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    out = weight.reshape(c_out, -1) @ im2col(x, kh, kw, stride, padding)
    return out.reshape(n, c_out, conv_output_size(h, kh, stride, padding),
                       conv_output_size(w, kw, stride, padding))


def conv2d_forward__transposed_output(x, weight, bias, stride, padding):
    """Reshapes to (out_w, out_h) and transposes: each output feature map is transposed."""
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    out_h = conv_output_size(h, kh, stride, padding)
    out_w = conv_output_size(w, kw, stride, padding)
    out = weight.reshape(c_out, -1) @ im2col(x, kh, kw, stride, padding)
    out = out.reshape(n, c_out, out_w, out_h).transpose(0, 1, 3, 2)
    return out if bias is None else out + bias[:, None, None]


def conv2d_forward__typo(x, weight, bias, stride, padding):
    """A NameError inside the learner's code (col for cols)."""
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    cols = im2col(x, kh, kw, stride, padding)
    out = weight.reshape(c_out, -1) @ col  # noqa: F821  (the deliberate typo)
    return out


def col2im__overwrites(cols, x_shape, kh, kw, stride, padding):
    """= instead of +=: where windows overlap, only the last copy survives."""
    n, c, h, w = x_shape
    out_h = conv_output_size(h, kh, stride, padding)
    out_w = conv_output_size(w, kw, stride, padding)
    cols = cols.reshape(n, c, kh, kw, out_h, out_w)
    xp = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            xp[:, :, i:i + stride * out_h:stride, j:j + stride * out_w:stride] = cols[:, :, i, j]
    return xp[:, :, padding:padding + h, padding:padding + w]


def col2im__float64_zeros(cols, x_shape, kh, kw, stride, padding):
    """np.zeros without dtype=: float32 columns come back as a float64 image."""
    n, c, h, w = x_shape
    out_h = conv_output_size(h, kh, stride, padding)
    out_w = conv_output_size(w, kw, stride, padding)
    cols = cols.reshape(n, c, kh, kw, out_h, out_w)
    xp = np.zeros((n, c, h + 2 * padding, w + 2 * padding))
    for i in range(kh):
        for j in range(kw):
            xp[:, :, i:i + stride * out_h:stride, j:j + stride * out_w:stride] += cols[:, :, i, j]
    return xp[:, :, padding:padding + h, padding:padding + w]


def _conv_backward(grad_output, x, weight, stride, padding, bias_axes, sum_weight_over_batch):
    n, c_out, out_h, out_w = grad_output.shape
    _, _, kh, kw = weight.shape
    g = grad_output.reshape(n, c_out, out_h * out_w)
    cols = im2col(x, kh, kw, stride, padding)
    grad_weight = g @ cols.transpose(0, 2, 1)
    grad_weight = (grad_weight.sum(axis=0).reshape(weight.shape) if sum_weight_over_batch
                   else grad_weight.reshape((n,) + weight.shape))
    grad_x = col2im(weight.reshape(c_out, -1).T @ g, x.shape, kh, kw, stride, padding)
    return grad_x, grad_weight, grad_output.sum(axis=bias_axes)


def conv2d_backward__bias_per_sample(grad_output, x, weight, stride, padding):
    """Sums grad_bias over positions but not over the batch: (N, C_out)."""
    return _conv_backward(grad_output, x, weight, stride, padding, (2, 3), True)


def conv2d_backward__weight_per_sample(grad_output, x, weight, stride, padding):
    """Keeps one weight gradient per sample instead of their sum."""
    return _conv_backward(grad_output, x, weight, stride, padding, (0, 2, 3), False)


def maxpool2d_forward__zero_start(x, kernel_size, stride):
    """Starts each window's maximum at 0: wrong whenever a whole window is negative."""
    n, c, h, w = x.shape
    cols = im2col(x.reshape(n * c, 1, h, w), kernel_size, kernel_size, stride, 0)
    out = np.maximum(cols.max(axis=1), 0)
    return out.reshape(n, c, conv_output_size(h, kernel_size, stride),
                       conv_output_size(w, kernel_size, stride))


def maxpool2d_forward__ceil(x, kernel_size, stride):
    """Rounds the output size up (ceil_mode=True), where PyTorch's default rounds down."""
    n, c, h, w = x.shape
    out_h = -(-(h - kernel_size) // stride) + 1
    out_w = -(-(w - kernel_size) // stride) + 1
    pad_h = (out_h - 1) * stride + kernel_size - h
    pad_w = (out_w - 1) * stride + kernel_size - w
    xp = np.pad(x, ((0, 0), (0, 0), (0, pad_h), (0, pad_w)), constant_values=-np.inf)
    cols = im2col(xp.reshape(n * c, 1, h + pad_h, w + pad_w), kernel_size, kernel_size, stride, 0)
    return cols.max(axis=1).reshape(n, c, out_h, out_w)


def maxpool2d_backward__every_tie(grad_output, x, kernel_size, stride):
    """Sends the gradient to every element equal to the window's maximum (ties get it twice)."""
    n, c, h, w = x.shape
    cols = im2col(x.reshape(n * c, 1, h, w), kernel_size, kernel_size, stride, 0)
    mask = cols == cols.max(axis=1, keepdims=True)
    grad_cols = mask * grad_output.reshape(n * c, 1, -1)
    return col2im(grad_cols, (n * c, 1, h, w), kernel_size, kernel_size, stride, 0).reshape(x.shape)


def maxpool2d_backward__last_tie(grad_output, x, kernel_size, stride):
    """Sends each window's gradient to its last maximum; PyTorch picks the first."""
    n, c, h, w = x.shape
    cols = im2col(x.reshape(n * c, 1, h, w), kernel_size, kernel_size, stride, 0)
    last_max = cols.shape[1] - 1 - cols[:, ::-1, :].argmax(axis=1)
    grad_cols = np.zeros_like(cols)
    np.put_along_axis(grad_cols, last_max[:, None, :], grad_output.reshape(n * c, 1, -1), axis=1)
    return col2im(grad_cols, (n * c, 1, h, w), kernel_size, kernel_size, stride, 0).reshape(x.shape)


def maxpool2d_backward__overwrites(grad_output, x, kernel_size, stride):
    """Writes each window's gradient into grad_x with =: overlapping windows overwrite."""
    n, c, h, w = x.shape
    out_h = conv_output_size(h, kernel_size, stride)
    out_w = conv_output_size(w, kernel_size, stride)
    cols = im2col(x.reshape(n * c, 1, h, w), kernel_size, kernel_size, stride, 0)
    k = cols.argmax(axis=1)                                    # (N*C, L)
    rows = (np.arange(out_h)[:, None] * stride).repeat(out_w, 1).reshape(-1) + k // kernel_size
    colz = (np.arange(out_w)[None, :] * stride).repeat(out_h, 0).reshape(-1) + k % kernel_size
    grad = np.zeros((n * c, h, w), dtype=x.dtype)
    grad[np.arange(n * c)[:, None], rows, colz] = grad_output.reshape(n * c, -1)
    return grad.reshape(x.shape)


def maxpool2d_backward__float64_zeros(grad_output, x, kernel_size, stride):
    """np.zeros(cols.shape) without dtype=: float32 in, float64 out."""
    n, c, h, w = x.shape
    cols = im2col(x.reshape(n * c, 1, h, w), kernel_size, kernel_size, stride, 0)
    first_max = cols.argmax(axis=1)[:, None, :]
    grad_cols = np.zeros(cols.shape)
    np.put_along_axis(grad_cols, first_max, grad_output.reshape(n * c, 1, -1), axis=1)
    return col2im(grad_cols, (n * c, 1, h, w), kernel_size, kernel_size, stride, 0).reshape(x.shape)


WRONG_ANSWERS = {  # name: (exercise, category the check must report, the mistake)
    "conv_output_size__true_division":
        ("conv_output_size", "wrong type", "/ instead of //"),
    "conv_output_size__ignores_dilation":
        ("conv_output_size", "wrong value", "dilation ignored"),
    "im2col__ignores_padding":
        ("im2col", "wrong shape", "padding ignored"),
    "im2col__offsets_swapped":
        ("im2col", "wrong value", "kernel offsets in (j, i) order"),
    "conv2d_forward__missing_bias":
        ("conv2d_forward", "wrong value", "a missing bias"),
    "conv2d_forward__transposed_output":
        ("conv2d_forward", "wrong value", "a transposed result"),
    "conv2d_forward__typo":
        ("conv2d_forward", "raised", "an exception inside the learner's code (NameError)"),
    "col2im__overwrites":
        ("col2im", "wrong value", "= instead of +="),
    "col2im__float64_zeros":
        ("col2im", "wrong dtype", "np.zeros without dtype="),
    "conv2d_backward__bias_per_sample":
        ("conv2d_backward", "wrong shape", "grad_bias not summed over the batch"),
    "conv2d_backward__weight_per_sample":
        ("conv2d_backward", "wrong shape", "grad_weight not summed over the batch"),
    "maxpool2d_forward__zero_start":
        ("maxpool2d_forward", "wrong value", "max starts at 0"),
    "maxpool2d_forward__ceil":
        ("maxpool2d_forward", "wrong shape", "rounds the output size up"),
    "maxpool2d_backward__every_tie":
        ("maxpool2d_backward", "wrong gradient", "gradient to every tied maximum"),
    "maxpool2d_backward__last_tie":
        ("maxpool2d_backward", "wrong gradient", "gradient to the last tied maximum"),
    "maxpool2d_backward__overwrites":
        ("maxpool2d_backward", "wrong gradient", "overlapping windows overwrite"),
    "maxpool2d_backward__float64_zeros":
        ("maxpool2d_backward", "wrong dtype", "float64 gradient for float32 input"),
}


# ----------------------------------------------------------------------------- issue 21 kinds

_READABLE = {(28, 3, 1, 0, 1): 26, (28, 5, 1, 2, 1): 28, (8, 2, 2, 0, 1): 4, (7, 2, 2, 0, 1): 3,
             (10, 3, 3, 1, 1): 4, (10, 3, 1, 0, 2): 6, (5, 5, 1, 0, 1): 1, (15, 3, 2, 2, 3): 6,
             (4, 3, 2, 3, 1): 4, (11, 2, 4, 0, 1): 3}


def conv_output_size__fitted(size, kernel_size, stride=1, padding=0, dilation=1):
    """A table of the check's readable cases, and a guess for anything else."""
    return _READABLE.get((size, kernel_size, stride, padding, dilation),
                         (size - kernel_size) // stride + 1)


def im2col__returns_tensor(x, kh, kw, stride, padding):
    """Right columns, handed back as a torch.Tensor."""
    import torch
    return torch.from_numpy(im2col(x, kh, kw, stride, padding))


def conv2d_forward__tinynn(x, weight, bias, stride, padding):
    """Calls tinynn's conv2d: right values, not built from numpy."""
    import tinynn
    import tinynn.nn.functional as F
    b = None if bias is None else tinynn.tensor(bias)
    return F.conv2d(tinynn.tensor(x), tinynn.tensor(weight), b, stride=stride,
                    padding=padding).numpy()


def conv2d_forward__no_bias_float64(x, weight, bias, stride, padding):
    """Without bias, adds np.zeros(C_out) (float64): float32 is lost on that branch."""
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    out_h = conv_output_size(h, kh, stride, padding)
    out_w = conv_output_size(w, kw, stride, padding)
    out = (weight.reshape(c_out, -1) @ im2col(x, kh, kw, stride, padding))
    out = out.reshape(n, c_out, out_h, out_w)
    return out + (np.zeros(c_out) if bias is None else bias)[:, None, None]


def col2im__scales_cols(cols, x_shape, kh, kw, stride, padding):
    """Right result, but uses cols as scratch space afterwards (zeroes it to "free" it)."""
    out = col2im(cols, x_shape, kh, kw, stride, padding)
    cols[...] = 0.0
    return out


def conv2d_backward__torch(grad_output, x, weight, stride, padding):
    """PyTorch's autograd does the work."""
    import torch
    import torch.nn.functional as F
    ts = [torch.tensor(a, requires_grad=True) for a in (x, weight)]
    b = torch.zeros(weight.shape[0], dtype=ts[0].dtype, requires_grad=True)
    F.conv2d(ts[0], ts[1], b, stride=stride, padding=padding).backward(
        torch.from_numpy(grad_output))
    return ts[0].grad.numpy(), ts[1].grad.numpy(), b.grad.numpy()


def maxpool2d_forward__endless(x, kernel_size, stride):
    """Steps through the windows with a counter it never advances."""
    i, out = 0, []
    while i < x.shape[-1]:
        out.append(x[..., i:i + kernel_size].max())
    return np.array(out)


WRONG_ANSWERS.update({
    "conv_output_size__fitted":
        ("conv_output_size", "wrong value", "fitted to the readable cases"),
    "im2col__returns_tensor": ("im2col", "wrong type", "a torch.Tensor returned"),
    "conv2d_forward__tinynn": ("conv2d_forward", "used the library", "tinynn's conv2d"),
    "conv2d_forward__no_bias_float64":
        ("conv2d_forward", "wrong dtype", "float32 lost without bias"),
    "col2im__scales_cols": ("col2im", "changed an input", "cols zeroed after use"),
    "conv2d_backward__torch": ("conv2d_backward", "used the library", "PyTorch's autograd"),
    "maxpool2d_forward__endless": ("maxpool2d_forward", "timed out", "the counter never moves"),
})


# ----------------------------------------------------------------------------- fit (API level)

def _test_accuracy(lib, model, test_loader):
    model.eval()
    correct = total = 0
    with lib.no_grad():
        for images, labels in test_loader:
            correct += int((model(images).argmax(dim=1) == labels).sum())
            total += len(labels)
    return correct / total


def fit__no_zero_grad(lib, model, optimizer, train_loader, test_loader, epochs):
    """Never clears the gradients: every step uses the sum of all gradients so far."""
    losses = []
    for _ in range(epochs):
        model.train()
        for images, labels in train_loader:
            loss = lib.nn.functional.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses, _test_accuracy(lib, model, test_loader)


def fit__no_train_mode(lib, model, optimizer, train_loader, test_loader, epochs):
    """Trains in whatever mode the model was handed over in (eval: BatchNorm's running
    statistics instead of the batch's)."""
    losses = []
    for _ in range(epochs):
        for images, labels in train_loader:
            optimizer.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses, _test_accuracy(lib, model, test_loader)


def fit__tests_in_train_mode(lib, model, optimizer, train_loader, test_loader, epochs):
    """Tests without model.eval(): BatchNorm uses test batch statistics and updates its
    running statistics."""
    losses = []
    model.train()
    for _ in range(epochs):
        for images, labels in train_loader:
            optimizer.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    correct = total = 0
    with lib.no_grad():
        for images, labels in test_loader:
            correct += int((model(images).argmax(dim=1) == labels).sum())
            total += len(labels)
    return losses, correct / total


def fit__mean_of_batch_accuracies(lib, model, optimizer, train_loader, test_loader, epochs):
    """Averages per-batch accuracies: the smaller last batch weighs as much as a full one."""
    losses = []
    for _ in range(epochs):
        model.train()
        for images, labels in train_loader:
            optimizer.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    model.eval()
    accuracies = []
    with lib.no_grad():
        for images, labels in test_loader:
            accuracies.append((model(images).argmax(dim=1) == labels).float().mean().item())
    return losses, sum(accuracies) / len(accuracies)


def fit__loss_tensors(lib, model, optimizer, train_loader, test_loader, epochs):
    """Keeps the loss tensors (and their graphs) instead of numbers."""
    losses = []
    for _ in range(epochs):
        model.train()
        for images, labels in train_loader:
            optimizer.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss)
    return losses, _test_accuracy(lib, model, test_loader)


def fit__softmax_first(lib, model, optimizer, train_loader, test_loader, epochs):
    """Softmax before cross_entropy, which applies log_softmax itself."""
    F = lib.nn.functional
    losses = []
    for _ in range(epochs):
        model.train()
        for images, labels in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(F.softmax(model(images), dim=1), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses, _test_accuracy(lib, model, test_loader)


def fit__zero_grad_after_backward(lib, model, optimizer, train_loader, test_loader, epochs):
    """Clears the gradients between backward and step: every step sees zeros."""
    losses = []
    for _ in range(epochs):
        model.train()
        for images, labels in train_loader:
            loss = lib.nn.functional.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.zero_grad()
            optimizer.step()
            losses.append(loss.item())
    return losses, _test_accuracy(lib, model, test_loader)


def fit__one_epoch(lib, model, optimizer, train_loader, test_loader, epochs):
    """Ignores `epochs`: one pass only."""
    losses = []
    model.train()
    for images, labels in train_loader:
        optimizer.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, _test_accuracy(lib, model, test_loader)


def fit__accuracy_on_training_data(lib, model, optimizer, train_loader, test_loader,
                                   epochs):
    """Reports the accuracy on the training batches."""
    losses, _ = _train(lib, model, optimizer, train_loader, epochs)
    return losses, _test_accuracy(lib, model, train_loader)


def fit__accuracy_tensor(lib, model, optimizer, train_loader, test_loader, epochs):
    """Returns the accuracy as a 0-d tensor."""
    losses, _ = _train(lib, model, optimizer, train_loader, epochs)
    model.eval()
    with lib.no_grad():
        hits = [(model(x).argmax(dim=1) == y).sum() for x, y in test_loader]
    return losses, sum(hits) / len(test_loader.labels)


def fit__endless(lib, model, optimizer, train_loader, test_loader, epochs):
    """Counts epochs with a variable it never increases."""
    losses, epoch = [], 0
    while epoch < epochs:
        model.train()
        for images, labels in train_loader:
            optimizer.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses, _test_accuracy(lib, model, test_loader)


def _train(lib, model, optimizer, train_loader, epochs):
    losses = []
    for _ in range(epochs):
        model.train()
        for images, labels in train_loader:
            optimizer.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses, None


WRONG_ANSWERS.update({
    "fit__no_zero_grad": ("fit", "wrong value", "gradients never cleared"),
    "fit__no_train_mode": ("fit", "wrong value", "model.train() missing"),
    "fit__tests_in_train_mode": ("fit", "wrong value", "model.eval() missing"),
    "fit__mean_of_batch_accuracies":
        ("fit", "wrong value", "the mean of per-batch accuracies"),
    "fit__loss_tensors": ("fit", "wrong type", "loss tensors instead of loss.item()"),
    "fit__softmax_first": ("fit", "wrong value", "softmax before cross_entropy"),
    "fit__zero_grad_after_backward":
        ("fit", "wrong value", "zero_grad between backward and step"),
    "fit__one_epoch": ("fit", "wrong shape", "epochs ignored"),
    "fit__accuracy_on_training_data": ("fit", "wrong value", "accuracy on the training set"),
    "fit__accuracy_tensor": ("fit", "wrong type", "accuracy as a tensor"),
    "fit__endless": ("fit", "timed out", "an epoch counter never increased"),
})


def fit__trains_in_float64(lib, model, optimizer, train_loader, test_loader, epochs):
    """Converts the model and every batch to float64 "for accuracy": the caller's float32
    model comes back float64."""
    model.double()
    losses = []
    for _ in range(epochs):
        model.train()
        for images, labels in train_loader:
            optimizer.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(images.double()), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    model.eval()
    correct = total = 0
    with lib.no_grad():
        for images, labels in test_loader:
            correct += int((model(images.double()).argmax(dim=1) == labels).sum())
            total += len(labels)
    return losses, correct / total


WRONG_ANSWERS.update({
    "fit__trains_in_float64": ("fit", "wrong dtype", "the float32 model turned float64"),
})


def fit__tests_with_autograd_on(lib, model, optimizer, train_loader, test_loader, epochs):
    """Tests in eval mode but without no_grad: a graph is built for every test batch."""
    losses, _ = _train(lib, model, optimizer, train_loader, epochs)
    model.eval()
    correct = total = 0
    for images, labels in test_loader:
        correct += int((model(images).argmax(dim=1) == labels).sum())
        total += len(labels)
    return losses, correct / total


WRONG_ANSWERS.update({
    "fit__tests_with_autograd_on": ("fit", "wrong value", "no no_grad() when testing"),
})
