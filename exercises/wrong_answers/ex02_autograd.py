"""Wrong answers for exercises/ex02_autograd.ipynb; see WRONG_ANSWERS at the end."""
from __future__ import annotations

import numpy as np

from solutions.ex02_autograd import sum_to_shape


def sum_to_shape__leading_only(grad, shape):
    """Sums away the extra leading dimensions but forgets stretched size-1 dimensions."""
    return np.sum(grad, axis=tuple(range(grad.ndim - len(shape))))


def sum_to_shape__drops_dims(grad, shape):
    """Sums the stretched size-1 dimensions without keepdims, so they disappear."""
    grad = np.sum(grad, axis=tuple(range(grad.ndim - len(shape))))
    stretched = tuple(i for i, s in enumerate(shape) if s == 1 and grad.shape[i] != 1)
    return np.sum(grad, axis=stretched) if stretched else grad


def mul_backward__swapped(grad_output, x, y):
    """dL/dx = g * x: each input gets its own value instead of the other's."""
    return sum_to_shape(grad_output * x, np.shape(x)), sum_to_shape(grad_output * y, np.shape(y))


def mul_backward__not_reduced(grad_output, x, y):
    """Right formulas, but returns the gradients in the broadcast shape."""
    return grad_output * y, grad_output * x


def mul_backward__doubled(grad_output, x, y):
    """A factor of 2 in dL/dx, as if z were x * x (d/dx x^2 = 2x)."""
    grad_x = sum_to_shape(2 * grad_output * y, np.shape(x))
    return grad_x, sum_to_shape(grad_output * x, np.shape(y))


def tanh_backward__forgot_tanh(grad_output, x):
    """1 - x^2 instead of 1 - tanh(x)^2."""
    return grad_output * (1 - x ** 2)


def tanh_backward__exp_formula(grad_output, x):
    """tanh written with exp(2x): inf / inf = nan for large x."""
    e = np.exp(2 * x)
    t = (e - 1) / (e + 1)
    return grad_output * (1 - t ** 2)


def sum_backward__forgot_keepdim(grad_output, input_shape, dim, keepdim):
    """Broadcasts grad_output as it is: the summed dimension is missing."""
    return np.broadcast_to(grad_output, input_shape).copy()


def matmul_backward__transposed(grad_output, a, b):
    """dL/db = G^T a: the transpose of the right answer."""
    return grad_output @ b.T, grad_output.T @ a


def matmul_backward__dot_T(grad_output, a, b):
    """Uses .T, which on a 3-d batch reverses all three axes."""
    return sum_to_shape(grad_output @ b.T, a.shape), sum_to_shape(a.T @ grad_output, b.shape)


def matmul_backward__no_batch_sum(grad_output, a, b):
    """Forgets that one b served the whole batch: grad_b keeps the batch dimension."""
    return grad_output @ np.swapaxes(b, -1, -2), np.swapaxes(a, -1, -2) @ grad_output


def softmax_backward__diagonal_only(grad_output, output, dim):
    """Only dy_i/dx_i = y_i (1 - y_i): the off-diagonal terms of the Jacobian are missing."""
    return grad_output * output * (1 - output)


def topo_sort__breadth_first(root):
    """Breadth-first order: a node reached by a short path comes out too early."""
    order, seen, queue = [], {root}, [root]
    while queue:
        node = queue.pop(0)
        order.append(node)
        for parent in node.inputs:
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return order


def topo_sort__recursive(root):
    """Depth-first post-order by recursion: right order, but 10,000 nested calls fail."""
    order, seen = [], set()

    def visit(node):
        if node in seen:
            return
        seen.add(node)
        for parent in node.inputs:
            visit(parent)
        order.append(node)

    visit(root)
    return order[::-1]


def topo_sort__no_seen_set(root):
    """Depth-first without remembering visited nodes: a node used twice comes out twice."""
    order, stack = [], [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((parent, False) for parent in node.inputs)
    return order[::-1]


def topo_sort__inputs_first(root):
    """A correct post-order (inputs before users) but not reversed: leaves come first."""
    order, seen, stack = [], {root}, [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        stack.append((node, True))
        for parent in node.inputs:
            if parent not in seen:
                seen.add(parent)
                stack.append((parent, False))
    return order


WRONG_ANSWERS = {  # name: (exercise, category the check must report, the mistake)
    "sum_to_shape__leading_only":
        ("sum_to_shape", "wrong shape", "forgets stretched size-1 dimensions"),
    "sum_to_shape__drops_dims":
        ("sum_to_shape", "wrong shape", "sums size-1 dimensions without keepdims"),
    "mul_backward__swapped":
        ("mul_backward", "wrong gradient", "gradients of x and y swapped"),
    "mul_backward__not_reduced":
        ("mul_backward", "wrong shape", "gradient left in the broadcast shape"),
    "mul_backward__doubled":
        ("mul_backward", "wrong gradient", "gradient off by a factor of 2"),
    "tanh_backward__forgot_tanh":
        ("tanh_backward", "wrong gradient", "1 - x^2 instead of 1 - tanh^2"),
    "tanh_backward__exp_formula":
        ("tanh_backward", "wrong gradient", "overflows (nan) at x = 1e4"),
    "sum_backward__forgot_keepdim":
        ("sum_backward", "raised", "forgot to restore the summed dimension"),
    "matmul_backward__transposed":
        ("matmul_backward", "wrong shape", "a transposed grad_b"),
    "matmul_backward__dot_T":
        ("matmul_backward", "raised", ".T on a 3-d batch"),
    "matmul_backward__no_batch_sum":
        ("matmul_backward", "wrong shape", "grad_b not summed over the batch"),
    "softmax_backward__diagonal_only":
        ("softmax_backward", "wrong gradient", "only the Jacobian's diagonal"),
    "topo_sort__breadth_first":
        ("topo_sort", "wrong order", "breadth-first order"),
    "topo_sort__recursive":
        ("topo_sort", "raised", "recursion: RecursionError 10,000 deep"),
    "topo_sort__no_seen_set":
        ("topo_sort", "wrong value", "a node used twice appears twice"),
    "topo_sort__inputs_first":
        ("topo_sort", "wrong order", "leaves first (not reversed)"),
}


# ----------------------------------------------------------------------------- issue 21 kinds

def sum_to_shape__torch(grad, shape):
    """Lets PyTorch's autograd do the summing: right values, not built from numpy."""
    import torch
    x = torch.zeros(shape, dtype=torch.from_numpy(grad).dtype, requires_grad=True)
    x.expand(grad.shape).backward(torch.from_numpy(grad))
    return x.grad.numpy()


def mul_backward__overwrites_grad_output(grad_output, x, y):
    """Multiplies grad_output in place: the incoming gradient, which another branch of the
    graph may share, is overwritten."""
    grad_x = sum_to_shape(np.multiply(grad_output, y, out=grad_output)
                          if grad_output.shape == np.broadcast_shapes(grad_output.shape, y.shape)
                          else grad_output * y, np.shape(x))
    return grad_x, sum_to_shape(grad_output * 0 + x, np.shape(y))


def mul_backward__float32_branch_only(grad_output, x, y):
    """Right in float64; in float32 the broadcast branch sums in float64 (np.sum dtype=)."""
    def reduce(g, shape):
        if g.shape == tuple(shape):
            return g
        return sum_to_shape(g.astype(np.float64), shape)
    return reduce(grad_output * y, np.shape(x)), reduce(grad_output * x, np.shape(y))


def tanh_backward__in_float32(grad_output, x):
    """Computes the slope in float32 and casts back: float64 inputs lose their precision."""
    t = np.tanh(x.astype(np.float32))
    return (grad_output * (1 - t * t)).astype(x.dtype)


def tanh_backward__returns_list(grad_output, x):
    """Right values, as a nested list."""
    return (grad_output * (1 - np.tanh(x) ** 2)).tolist()


def sum_backward__tinynn(grad_output, input_shape, dim, keepdim):
    """Lets tinynn's autograd compute the gradient."""
    import tinynn
    x = tinynn.zeros(input_shape, dtype=getattr(tinynn, str(grad_output.dtype)),
                     requires_grad=True)
    out = x.sum() if dim is None else x.sum(dim=dim, keepdim=keepdim)
    out.backward(tinynn.tensor(grad_output))
    return x.grad.numpy()


def matmul_backward__generator(grad_output, a, b):
    """Right gradients, yielded one by one instead of returned as a tuple."""
    yield grad_output @ np.swapaxes(b, -1, -2)
    yield sum_to_shape(np.swapaxes(a, -1, -2) @ grad_output, b.shape)


def softmax_backward__in_place(grad_output, output, dim):
    """Right values, computed by overwriting grad_output."""
    s = np.sum(grad_output * output, axis=dim, keepdims=True)
    grad_output -= s
    grad_output *= output
    return grad_output


def topo_sort__empties_inputs(root):
    """Kahn's algorithm that pops the inputs off each node: the graph backward needs is gone."""
    order, stack, seen = [], [root], {root}
    users = {}
    while stack:
        node = stack.pop()
        for parent in node.inputs:
            users[parent] = users.get(parent, 0) + 1
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    ready = [root]
    while ready:
        node = ready.pop()
        order.append(node)
        inputs = list(node.inputs)
        node.inputs = ()
        for parent in inputs:
            users[parent] -= 1
            if users[parent] == 0:
                ready.append(parent)
    return order


def topo_sort__endless(root):
    """Forgets to pop from the stack: the loop never ends."""
    order, stack = [], [root]
    while stack:
        node = stack[-1]
        if node not in order:
            order.append(node)
    return order


WRONG_ANSWERS.update({
    "sum_to_shape__torch": ("sum_to_shape", "used the library", "PyTorch's expand backward"),
    "mul_backward__overwrites_grad_output":
        ("mul_backward", "changed an input", "grad_output multiplied in place"),
    "mul_backward__float32_branch_only":
        ("mul_backward", "wrong dtype", "float32 lost on the broadcast branch"),
    "tanh_backward__in_float32": ("tanh_backward", "wrong gradient", "float64 done in float32"),
    "tanh_backward__returns_list": ("tanh_backward", "wrong type", "a list returned"),
    "sum_backward__tinynn": ("sum_backward", "used the library", "tinynn's autograd"),
    "matmul_backward__generator": ("matmul_backward", "wrong type", "a generator returned"),
    "softmax_backward__in_place":
        ("softmax_backward", "changed an input", "grad_output overwritten"),
    "topo_sort__empties_inputs": ("topo_sort", "changed an input", "node.inputs emptied"),
    "topo_sort__endless": ("topo_sort", "timed out", "never pops the stack"),
})


def make_sigmoid__numpy_backward(lib):
    """Computes the backward in numpy and wraps it: right first derivative, but a constant
    to autograd, so there is no second derivative."""

    class Sigmoid(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = lib.sigmoid(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            g, y = grad_output.detach().numpy(), y.detach().numpy()
            return lib.tensor(g * y * (1 - y))

    return Sigmoid


def make_sigmoid__plus_sign(lib):
    """y * (1 + y) instead of y * (1 - y)."""

    class Sigmoid(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = lib.sigmoid(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            return grad_output * y * (1 + y)

    return Sigmoid


def make_sigmoid__returns_apply(lib):
    """Returns the Function's apply method instead of the class."""

    class Sigmoid(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return lib.sigmoid(x)

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    return Sigmoid.apply


WRONG_ANSWERS.update({
    "make_sigmoid__numpy_backward":
        ("make_sigmoid", "wrong gradient", "backward in numpy: no second derivative"),
    "make_sigmoid__plus_sign": ("make_sigmoid", "wrong gradient", "y * (1 + y)"),
    "make_sigmoid__returns_apply": ("make_sigmoid", "wrong type", "Sigmoid.apply returned"),
})


# ----------------------------------------------------------------------------- in place

def make_sigmoid__backward_in_place(lib):
    """backward multiplies the incoming gradient in place and returns it."""

    class Sigmoid(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = lib.sigmoid(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            return grad_output.mul_(y * (1 - y))

    return Sigmoid


def make_sigmoid__forward_in_place(lib):
    """forward turns x into its sigmoid in place, and returns a copy."""

    class Sigmoid(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.sigmoid_()
            ctx.save_for_backward(y)
            return y.clone()

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            return grad_output * y * (1 - y)

    return Sigmoid


WRONG_ANSWERS.update({
    "make_sigmoid__backward_in_place":
        ("make_sigmoid", "changed an input", "grad_output.mul_ in backward"),
    "make_sigmoid__forward_in_place":
        ("make_sigmoid", "changed an input", "x.sigmoid_() in forward"),
})
