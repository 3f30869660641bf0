"""``Module``: the base class of every layer and model (mirrors ``torch.nn.Module``).

A Module keeps three ordered dictionaries, filled in by ``__setattr__`` when you assign
an attribute:

* ``_parameters``: ``name -> Parameter`` (learnable weights; ``None`` for an absent bias),
* ``_buffers``: ``name -> Tensor`` (state that is saved but not learned, e.g. running means),
* ``_modules``: ``name -> Module`` (submodules).

Everything else (``parameters()``, ``state_dict()``, ``train()``, ``to()``, ``repr``) walks
these dictionaries, recursing into submodules.
"""
from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict, namedtuple
from typing import Any, Callable, Iterator, Mapping

from ..._tensor import Tensor, _parse_to, _zero_grads
from ..._types import device as _device
from ...autograd import grad_mode
from ...utils.hooks import RemovableHandle
from ..parameter import Buffer, Parameter
from ._backward_hook import BackwardHook


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it did not find, and those it did not use."""

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _typename(value: Any) -> str:
    """How PyTorch names a type in errors (``torch.typename``): 'tinynn.FloatTensor' for a
    tensor, else the class with its module ('int', 'tinynn.nn.modules.activation.ReLU')."""
    if isinstance(value, Tensor):
        return value.type().replace("torch.", "tinynn.")  # e.g. "tinynn.FloatTensor"
    module = type(value).__module__
    name = type(value).__qualname__
    return name if module in ("", "builtins") else f"{module}.{name}"  # e.g. "tinynn.nn.modules.activation.ReLU"


def _addindent(text: str, num_spaces: int) -> str:
    """Indent every line but the first by ``num_spaces`` (for nested module reprs)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * num_spaces + line for line in lines[1:])


class Module:
    """Base class for all neural network modules.

    Subclass it, create the layers in ``__init__`` (after calling ``super().__init__()``),
    and compute the output in ``forward``. Call the module (``model(x)``), not ``forward``:
    ``__call__`` also runs the registered hooks.

    Example:
        >>> class Net(Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc = Linear(4, 2)       # registered as a submodule
        ...     def forward(self, x):
        ...         return self.fc(x).relu()
    """

    training: bool
    _version: int = 1

    def __init__(self, *args, **kwargs) -> None:
        if kwargs:  # PyTorch's messages (pass the arguments to your subclass's own __init__)
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        if args:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but "
                            f"{len(args) + 1} were given")
        # object.__setattr__: our own __setattr__ needs these dictionaries to exist
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks_with_kwargs", set())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks_with_kwargs", set())
        object.__setattr__(self, "_forward_hooks_always_called", set())
        object.__setattr__(self, "_backward_hooks", OrderedDict())
        object.__setattr__(self, "_backward_pre_hooks", OrderedDict())

    def forward(self, *input: Any) -> Any:
        """Compute the output. Every subclass overrides this."""
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    # -- registration ------------------------------------------------------------------
    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (``None`` registers the name with no tensor, like an absent bias).

        Raises:
            AttributeError: before ``Module.__init__()`` ran.
            TypeError: if ``name`` is not a string or ``param`` is not a Parameter or None.
            KeyError: if ``name`` is empty, contains ".", or is already another attribute.
            ValueError: if ``param`` is not a leaf (computed from other tensors).
        """
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name("parameter", name, self._parameters)
        if param is None:
            self._parameters[name] = None
        elif not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                "(tinynn.nn.Parameter or None required)"
            )
        elif param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                f"created explicitly. To express '{name}' as a function of another Tensor, "
                "compute the value in the forward() method."
            )
        else:
            self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: a tensor that is module state but not a parameter (not learned).

        Args:
            name: the attribute name.
            tensor: the buffer (None is allowed: it is then left out of the state_dict).
            persistent: whether it is part of ``state_dict()``.

        Raises:
            AttributeError: before ``Module.__init__()`` ran.
            TypeError: if ``name`` is not a string or ``tensor`` is not a Tensor or None.
            KeyError: if ``name`` is empty, contains ".", or is already another attribute.
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name("buffer", name, self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                "(tinynn Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def _check_name(self, kind: str, name: Any, own: dict) -> None:
        """The checks PyTorch makes on a parameter's or buffer's name, with its messages."""
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in own:
            raise KeyError(f"attribute '{name}' already exists")

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module, reachable as the attribute ``name``.

        Raises:
            TypeError: if ``module`` is not a Module or None, or ``name`` not a string.
            KeyError: if ``name`` is empty, contains ".", or is already another attribute.
        """
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {type(name).__name__}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = module

    register_module = add_module

    # -- attribute access: where registration happens -------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        """Register Parameters, Modules and existing buffers; set anything else normally.

        Raises:
            AttributeError: assigning a Parameter or Module before ``Module.__init__()``.
            TypeError: assigning something else (not None) over a registered parameter,
                submodule or buffer.
        """
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._remove_from_dicts(name, keep="_parameters")
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as parameter '{name}' "
                    "(tinynn.nn.Parameter or None expected)"
                )
            self.register_parameter(name, value)
        else:
            modules = self.__dict__.get("_modules")
            if isinstance(value, Module):
                if modules is None:
                    raise AttributeError("cannot assign module before Module.__init__() call")
                self._remove_from_dicts(name, keep="_modules")
                modules[name] = value
            elif modules is not None and name in modules:
                if value is not None:
                    raise TypeError(
                        f"cannot assign '{_typename(value)}' as child module '{name}' "
                        "(tinynn.nn.Module or None expected)"
                    )
                modules[name] = value
            else:
                buffers = self.__dict__.get("_buffers")
                if isinstance(value, Buffer):  # registered as register_buffer would, with its persistence
                    self.register_buffer(name, value, value.persistent)
                elif buffers is not None and name in buffers:
                    if value is not None and not isinstance(value, Tensor):
                        raise TypeError(
                            f"cannot assign '{_typename(value)}' as buffer '{name}' "
                            "(tinynn.Tensor or None expected)"
                        )
                    buffers[name] = value
                else:
                    object.__setattr__(self, name, value)

    def _remove_from_dicts(self, name: str, keep: str) -> None:
        """Forget ``name`` in the other registries, before registering it in ``keep``.

        (It stays in ``keep``, so re-assigning ``model[0]`` keeps its position.)
        """
        self.__dict__.pop(name, None)
        for key in ("_parameters", "_buffers", "_modules"):
            if key != keep:
                self.__dict__[key].pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name: str) -> Any:
        """Called only when normal lookup fails: look in the three dictionaries.

        Raises:
            AttributeError: "'Linear' object has no attribute 'x'".
        """
        for key in ("_parameters", "_buffers", "_modules"):
            registered = self.__dict__.get(key)
            if registered is not None and name in registered:
                return registered[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for key in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__[key]:
                del self.__dict__[key][name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list:
        attrs = list(object.__dir__(self))
        names = list(self._parameters) + list(self._modules) + list(self._buffers)
        return sorted(set(attrs + [n for n in names if not n[0].isdigit()]))

    # -- calling -------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the forward pre-hooks, ``forward``, then the forward hooks.

        With full backward (pre-)hooks registered, the positional inputs and the outputs
        are also routed through identity nodes that call those hooks during backward
        (see ``_backward_hook.py``). If a hook or ``forward`` raises, the forward hooks
        registered with ``always_call=True`` that have not run yet are called (with the output
        so far, ``None`` if ``forward`` did not return) before the error propagates; an error
        they raise then is turned into a warning.
        """
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or self._backward_pre_hooks):
            return self.forward(*args, **kwargs)
        output = None
        called = set()  # the always-called forward hooks that have already run
        try:
            for hook_id, hook in list(self._forward_pre_hooks.items()):
                if hook_id in self._forward_pre_hooks_with_kwargs:
                    result = hook(self, args, kwargs)
                    if result is not None:
                        if not (isinstance(result, tuple) and len(result) == 2):
                            raise RuntimeError(
                                "forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                                f"but got {result}."
                            )
                        args, kwargs = result
                else:
                    result = hook(self, args)
                    if result is not None:
                        args = result if isinstance(result, tuple) else (result,)
            backward_hook = None
            if self._backward_hooks or self._backward_pre_hooks:
                backward_hook = BackwardHook(self, list(self._backward_hooks.values()),
                                             list(self._backward_pre_hooks.values()))
                args = backward_hook.setup_input_hook(args)
            output = self.forward(*args, **kwargs)
            for hook_id, hook in list(self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called:
                    called.add(hook_id)
                result = self._call_forward_hook(hook_id, hook, args, kwargs, output)
                if result is not None:
                    output = result
            if backward_hook is not None and grad_mode.is_grad_enabled():
                output = backward_hook.setup_output_hook(output)
            return output
        except Exception:
            for hook_id, hook in list(self._forward_hooks.items()):
                if hook_id not in self._forward_hooks_always_called or hook_id in called:
                    continue
                try:
                    result = self._call_forward_hook(hook_id, hook, args, kwargs, output)
                except Exception as error:  # noqa: BLE001  (the first error is the one to report)
                    warnings.warn("module forward hook with ``always_call=True`` raised an exception "
                                  f"that was silenced as another error was raised in forward: {error}",
                                  stacklevel=2)
                    continue
                if result is not None:
                    output = result
            raise

    def _call_forward_hook(self, hook_id: int, hook: Callable, args: tuple, kwargs: dict,
                           output: Any) -> Any:
        """``hook(self, args, output)``, or ``hook(self, args, kwargs, output)`` (with_kwargs)."""
        if hook_id in self._forward_hooks_with_kwargs:
            return hook(self, args, kwargs, output)
        return hook(self, args, output)

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before ``forward``; it may return replacement args.

        With ``with_kwargs=True`` the hook is ``hook(module, args, kwargs)`` and may return
        ``(new_args, new_kwargs)``. Returns a handle whose ``remove()`` unregisters it.
        """
        return self._add_hook(self._forward_pre_hooks, (self._forward_pre_hooks_with_kwargs,),
                              hook, prepend, with_kwargs)

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after ``forward``; it may return a new output.

        With ``with_kwargs=True`` the hook is ``hook(module, args, kwargs, output)``. With
        ``always_call=True`` it is also called when a pre-hook, ``forward`` or an earlier hook
        raises (see ``__call__``). Returns a handle whose ``remove()`` unregisters it.
        """
        handle = self._add_hook(self._forward_hooks, (self._forward_hooks_with_kwargs,
                                                      self._forward_hooks_always_called),
                                hook, prepend, with_kwargs)
        if always_call:
            self._forward_hooks_always_called.add(handle.id)
        return handle

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` once the gradients with respect to
        the module's inputs are computed.

        ``grad_input`` has one entry per positional argument of the call (None for one that is
        not a tensor requiring grad), ``grad_output`` one per output. The hook may return a
        tuple of the same length to replace ``grad_input``; it must not modify its arguments
        in place. If no input requires grad, the hook fires (with ``grad_input`` all None, and
        a ``UserWarning``) as soon as ``grad_output`` is known. Returns a handle whose
        ``remove()`` unregisters it.

        Raises:
            RuntimeError: during backward, if the hook returns the wrong number of gradients.
        """
        return self._add_hook(self._backward_hooks, (set(),), hook, prepend, False)

    def register_full_backward_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` once the gradients with respect to the module's
        outputs are computed; it may return a tuple to replace ``grad_output``.

        Returns a handle whose ``remove()`` unregisters it.
        """
        return self._add_hook(self._backward_pre_hooks, (set(),), hook, prepend, False)

    @staticmethod
    def _add_hook(hooks: OrderedDict, flag_sets: tuple[set, ...], hook: Callable, prepend: bool,
                  with_kwargs: bool) -> RemovableHandle:
        """Store ``hook`` in ``hooks`` under its handle's id (first if ``prepend``).

        ``flag_sets[0]`` is the set of ids of the hooks that take kwargs; the handle's
        ``remove()`` forgets the id in every set of ``flag_sets``.
        """
        handle = RemovableHandle(hooks, extra_sets=flag_sets)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        if with_kwargs:
            flag_sets[0].add(handle.id)
        return handle

    # -- walking the tree ----------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """Yield ``(name, module)`` for this module and every submodule, depth first.

        A module reachable twice (shared) is yielded once unless ``remove_duplicate=False``.
        """
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub_prefix = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub_prefix, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yield ``(name, module)`` for the direct submodules (each once)."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, get_members: Callable, prefix: str = "", recurse: bool = True,
                       remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
        """Walk the modules and yield ``get_members(module)``'s items with dotted names.

        A tensor shared by two modules (tied weights) is yielded once, under its first name.
        """
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        seen = set()
        for module_prefix, module in modules:
            for name, value in get_members(module):
                if value is None or (remove_duplicate and value in seen):
                    continue
                if remove_duplicate:
                    seen.add(value)
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Yield ``(name, parameter)``, names dotted like ``"0.weight"``, each parameter once."""
        yield from self._named_members(lambda m: m._parameters.items(), prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Yield every parameter (of submodules too, unless ``recurse=False``), each once."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members(lambda m: m._buffers.items(), prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def get_submodule(self, target: str) -> Module:
        """The submodule at a dotted path such as ``"0.fc"`` (``""`` is self).

        Raises:
            AttributeError: if a step of the path is missing or not a Module.
        """
        module = self
        if target == "":
            return module
        for item in target.split("."):
            if not hasattr(module, item):
                raise AttributeError(module._get_name() + " has no attribute `" + item + "`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return module

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Put ``module`` at a dotted path such as ``"0.fc"``, replacing what is there.

        Without ``strict`` a new name may be added to an existing parent module; with
        ``strict=True`` the name must already be there.

        Raises:
            ValueError: if ``target`` is empty or ``module`` is not a Module.
            AttributeError: if the parent path is missing or not a Module, if the name is
                missing (with ``strict``), or if the name holds something that is not a Module.
        """
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent_path, _, name = target.rpartition(".")
        parent = self.get_submodule(parent_path)
        if strict and not hasattr(parent, name):
            raise AttributeError(parent._get_name() + " has no attribute `" + name + "`")
        if hasattr(parent, name) and not isinstance(getattr(parent, name), Module):
            raise AttributeError("`" + name + "` is not an nn.Module")
        setattr(parent, name, module)

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path such as ``"0.weight"``."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(module._get_name() + " has no attribute `" + name + "`")
        param = getattr(module, name)
        if not isinstance(param, Parameter):
            raise AttributeError("`" + name + "` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at a dotted path such as ``"0.running_mean"``.

        Raises:
            AttributeError: if a step of the path is missing, or the target is not a buffer.
        """
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(module._get_name() + " has no attribute `" + name + "`")
        if name not in module._buffers:
            raise AttributeError("`" + name + "` is not a buffer")
        return getattr(module, name)

    # -- state dict ----------------------------------------------------------------------
    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        """Put this module's own parameters and persistent buffers (not submodules') in."""
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()

    def state_dict(self, *, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> dict:
        """An ``OrderedDict`` ``name -> tensor`` of every parameter and persistent buffer.

        The tensors share memory with the module's (detached, unless ``keep_vars=True``).
        Keys are dotted paths like ``"0.weight"``, in registration order, as in PyTorch.
        """
        if destination is None:
            destination = OrderedDict()
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        return destination

    def _load_from_state_dict(self, state_dict: Mapping, prefix: str, local_metadata: dict,
                              strict: bool, missing_keys: list, unexpected_keys: list,
                              error_msgs: list) -> None:
        """Copy this module's own entries from ``state_dict``, collecting problems in the lists.

        With ``local_metadata["assign_to_params_buffers"]`` the tensors of ``state_dict`` are
        put in place of the module's (a parameter stays a Parameter, with its
        ``requires_grad``) instead of being copied into them.
        """
        assign = local_metadata.get("assign_to_params_buffers", False)
        persistent = {k: v for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set}
        local_state = {k: v for k, v in itertools.chain(self._parameters.items(), persistent.items())
                       if v is not None}
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            input_param = state_dict[key]
            if not isinstance(input_param, Tensor):
                error_msgs.append(
                    f'While copying the parameter named "{key}", expected tinynn.Tensor or '
                    f"Tensor-like object from checkpoint but received {type(input_param)}"
                )
                continue
            if input_param.shape != param.shape:
                error_msgs.append(
                    f"size mismatch for {key}: copying a param with shape {input_param.shape} from "
                    f"checkpoint, the shape in current model is {param.shape}."
                )
                continue
            try:
                with grad_mode.no_grad():
                    if assign:
                        if isinstance(param, Parameter):
                            if isinstance(input_param, Parameter):
                                input_param.requires_grad_(param.requires_grad)
                            else:
                                input_param = Parameter(input_param, requires_grad=param.requires_grad)
                        setattr(self, name, input_param)
                    else:
                        param.copy_(input_param)
            except Exception as error:  # noqa: BLE001  (reported with the others, as PyTorch does)
                error_msgs.append(
                    f'While copying the parameter named "{key}", whose dimensions in the model are '
                    f"{param.size()} and whose dimensions in the checkpoint are {input_param.size()}, "
                    f"an exception occurred : {error.args}."
                )
        if strict:
            for key in state_dict:
                if key.startswith(prefix):
                    input_name = key[len(prefix):].split(".", 1)
                    if len(input_name) > 1:  # "child.weight": the child handles it, if it exists
                        if input_name[0] not in self._modules:
                            unexpected_keys.append(key)
                    elif input_name[0] not in local_state:
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict: Mapping, strict: bool = True, assign: bool = False) -> tuple:
        """Copy parameters and buffers from ``state_dict`` into this module (in place).

        Args:
            state_dict: ``name -> tensor``, as returned by ``state_dict()``.
            strict: require the keys to match exactly. Default: True.
            assign: put the state dict's tensors in the module instead of copying their
                values into the module's tensors (they keep their own dtype; a parameter's
                ``requires_grad`` is kept). Default: False.

        Returns:
            ``(missing_keys, unexpected_keys)``, a namedtuple (``_IncompatibleKeys``).

        Raises:
            TypeError: if ``state_dict`` is not a mapping.
            RuntimeError: "Error(s) in loading state_dict for Linear: ..." listing missing
                and unexpected keys (when strict), any shape mismatch, and any value that
                could not be copied or assigned.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing_keys: list = []
        unexpected_keys: list = []
        error_msgs: list = []
        metadata = {"assign_to_params_buffers": True} if assign else {}

        def load(module: Module, prefix: str = "") -> None:
            module._load_from_state_dict(state_dict, prefix, dict(metadata), True, missing_keys,
                                         unexpected_keys, error_msgs)
            for name, child in module._modules.items():
                if child is not None:
                    load(child, prefix + name + ".")

        load(self)
        if strict:
            if unexpected_keys:
                error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected_keys)))
            if missing_keys:
                error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing_keys)))
        if error_msgs:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(error_msgs)))
        return _IncompatibleKeys(missing_keys, unexpected_keys)

    # -- modes and gradients -------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=True``) or evaluation mode on this module and all below.

        Raises:
            ValueError: if ``mode`` is not a bool.
        """
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: Dropout passes inputs through, BatchNorm uses running stats."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter (e.g. False to freeze a layer)."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad``: to None (default), or to zeros."""
        _zero_grads(self.parameters(), set_to_none)

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every submodule (children first) and then on self; return self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # -- dtype and device ----------------------------------------------------------------
    def _apply(self, fn: Callable[[Tensor], Tensor]) -> Module:
        """Replace every parameter's and buffer's data by ``fn(tensor)``, in place.

        Parameters stay the same objects (their ``_data`` changes), so an optimizer that
        holds them keeps working, as in PyTorch.

        Raises:
            RuntimeError: if ``fn`` turns a parameter that requires grad into a tensor that is
                not floating point (``module.type(tinynn.int64)``).
        """
        for module in self.children():
            module._apply(fn)
        for param in self._parameters.values():
            if param is None:
                continue
            applied = fn(param)
            if param.requires_grad and not applied.is_floating_point():
                raise RuntimeError("data set to a tensor that requires gradients must be floating point "
                                   "or complex dtype")
            param._data = applied._data
            if param.grad is not None:
                param.grad = Tensor._make(fn(param.grad)._data)
        for name, buf in self._buffers.items():
            if buf is not None:
                self._buffers[name] = fn(buf)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Convert floating-point parameters and buffers: ``to(tinynn.float64)``, ``to("cpu")``.

        Raises:
            TypeError: for a non-floating dtype.
            RuntimeError: for a device other than "cpu".
        """
        dtype = _parse_to(*args, **kwargs)
        if dtype is None:
            return self
        if not dtype.is_floating_point:
            raise TypeError(
                f"nn.Module.to only accepts floating point or complex dtypes, but got desired dtype={dtype}"
            )
        return self._apply(lambda t: t.detach().to(dtype) if t.is_floating_point() else t)

    def type(self, dst_type: Any) -> Module:
        """Cast every parameter and buffer, integer ones included, to ``dst_type``.

        Raises:
            RuntimeError: for a dtype that is not floating point while a parameter requires grad.
        """
        return self._apply(lambda t: t.detach().type(dst_type))

    def float(self) -> Module:
        return self._apply(lambda t: t.detach().float() if t.is_floating_point() else t)

    def double(self) -> Module:
        return self._apply(lambda t: t.detach().double() if t.is_floating_point() else t)

    def half(self) -> Module:
        return self._apply(lambda t: t.detach().half() if t.is_floating_point() else t)

    def cpu(self) -> Module:
        return self

    def cuda(self, device: Any = None) -> Module:
        _device("cuda")  # raises: tinynn runs on the CPU only

    # -- printing ------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr; override it in subclasses."""
        return ""

    def __repr__(self) -> str:
        """``Name(extra)``, or nested with one ``(name): child`` line per child, as PyTorch."""
        extra_lines = self.extra_repr().split("\n") if self.extra_repr() else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2) for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"
