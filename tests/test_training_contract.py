"""The contract: a PyTorch training script runs unchanged with ``import tinynn as torch``.

Each script below is PyTorch code of the kind the source articles teach. It is executed
twice, from the same source text, with the name ``torch`` bound to PyTorch and then to
tinynn. The starting weights are PyTorch's, copied into tinynn with ``load_state_dict``;
the data are the same arrays. The loss after every step must agree within the dtype's
tolerance (float32: rtol 1.3e-6, atol 1e-5; float64: rtol 1e-7, atol 1e-7).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close
from tinynn.utils.convert import state_dict_from_torch

DTYPES = ["float32", "float64"]

LINEAR_REGRESSION = """
x = torch.from_numpy(x_data).to(device=device, dtype=dtype)        # (100, 1)
y = 2 * x + torch.from_numpy(noise).to(device=device, dtype=dtype)  # y = 2x + noise

model = torch.nn.Linear(1, 1).to(device=device, dtype=dtype)
model.load_state_dict(initial_state)
criterion = torch.nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

losses = []
for epoch in range(100):
    prediction = model(x)
    loss = criterion(prediction, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
slope = model.weight.item()
"""

MLP_CLASSIFIER = """
nn = torch.nn
F = torch.nn.functional

class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = x.view(-1, 784)
        x = F.relu(self.fc1(x))
        return self.fc2(x)

net = Net().to(device=device, dtype=dtype)
net.load_state_dict(initial_state)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
images = torch.from_numpy(image_data).to(device=device, dtype=dtype)   # (64, 1, 28, 28)
labels = torch.from_numpy(label_data).to(device)                       # (64,) int64

losses = []
net.train()
for step in range(30):
    optimizer.zero_grad()
    outputs = net(images)
    loss = criterion(outputs, labels)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())

net.eval()
with torch.no_grad():
    predicted = net(images).argmax(dim=1)
accuracy = (predicted == labels).float().mean().item()
"""


def run_script(source: str, lib, namespace: dict) -> dict:
    scope = dict(namespace, torch=lib)
    exec(compile(source, "<training script>", "exec"), scope)
    return scope


def reference_and_tinynn(source: str, build_torch_model, data: dict, dtype: str, device: str):
    torch.manual_seed(0)
    initial = build_torch_model().state_dict()
    theirs = run_script(source, torch, dict(data, device=device, dtype=getattr(torch, dtype),
                                            initial_state={k: v.to(device) for k, v in initial.items()}))
    ours = run_script(source, tinynn, dict(data, device="cpu", dtype=getattr(tinynn, dtype),
                                           initial_state=state_dict_from_torch(initial)))
    return theirs, ours


@pytest.mark.parametrize("dtype", DTYPES)
def test_linear_regression_script_runs_unchanged_and_matches(dtype, device):
    rng = np.random.default_rng(0)
    data = {"x_data": np.linspace(-1, 1, 100).reshape(100, 1), "noise": 0.1 * rng.standard_normal((100, 1))}
    theirs, ours = reference_and_tinynn(LINEAR_REGRESSION, lambda: torch.nn.Linear(1, 1), data, dtype, device)
    assert len(ours["losses"]) == 100
    assert_close(np.array(ours["losses"], dtype=dtype), np.array(theirs["losses"], dtype=dtype), name="losses")
    assert_close(np.array(ours["slope"], dtype=dtype), np.array(theirs["slope"], dtype=dtype), name="slope")
    assert abs(ours["slope"] - 2) < 0.1  # it learned y = 2x


@pytest.mark.parametrize("dtype", DTYPES)
def test_mlp_cross_entropy_adam_script_runs_unchanged_and_matches(dtype, device):
    rng = np.random.default_rng(1)
    data = {"image_data": rng.uniform(0, 1, (64, 1, 28, 28)), "label_data": rng.integers(0, 10, 64)}

    class Shapes(torch.nn.Module):  # the same parameter names and shapes as the script's Net
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(784, 128)
            self.fc2 = torch.nn.Linear(128, 10)

    theirs, ours = reference_and_tinynn(MLP_CLASSIFIER, Shapes, data, dtype, device)
    assert_close(np.array(ours["losses"], dtype=dtype), np.array(theirs["losses"], dtype=dtype), name="losses")
    assert ours["losses"][-1] < 0.5 * ours["losses"][0]  # it learned the batch
    assert ours["accuracy"] == theirs["accuracy"]


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_model_backward_does_not_exist(lib):
    """A mistake in the sources: gradients come from loss.backward(); a Module has no backward."""
    model = lib.nn.Linear(2, 1)
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'backward'"):
        model.backward()


def test_softmax_before_cross_entropy_changes_the_loss_in_both():
    """Another mistake: CrossEntropyLoss takes logits; feeding it probabilities applies softmax twice."""
    logits = np.array([[4.0, 0.0, -2.0], [0.0, 3.0, 0.0]])
    target = np.array([0, 1])
    for lib in (tinynn, torch):
        x, t = lib.tensor(logits), lib.tensor(target)
        right = lib.nn.CrossEntropyLoss()(x, t).item()
        wrong = lib.nn.CrossEntropyLoss()(x.softmax(dim=1), t).item()
        assert wrong > right + 0.3
