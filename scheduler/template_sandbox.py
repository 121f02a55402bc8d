"""The sandbox message templates render in: it guards work and memory, not only attributes.

Jinja's own sandbox stops ``{{ x.__class__ }}`` but not ``'a' * 10**9``, ``x|center(10**9)``,
``'%999999999d'|format(1)``, ``xs|join('y' * 10**6)`` or nested loops over ``range(100000)``:
each would hold the process for seconds to minutes and take gigabytes. What an admin's
template may do here, and why each rule suffices:

- numbers passed to a call, filter or operator, and what ``*`` and ``**`` make, are at most
  ``LIMIT``: no single value grows past it;
- a repetition's length counts the characters of what it repeats, so ``[long] * n`` is one too;
- text that a filter or method inserts repeatedly (a separator, a replacement, a fill value, a
  link attribute), and the separator of ``str.join``, is at most ``SHORT`` characters: such an
  operation makes at most ``SHORT`` times its input;
- filters and methods that multiply work by a number, a format or a table (``format``,
  ``indent``, ``sum``, ``wordwrap``, ``tojson``, ``pprint``, ``expandtabs``, ``translate``, ``%``
  on text) are not offered, nor bytes (``encode``);
- loops do not nest; macros, blocks (``self.name()`` calls them again), filter blocks and
  imports are not offered; nothing is assigned (``set``, ``with``: no value can double itself
  step by step); lists cannot be changed in place; the only global is ``range``: a loop runs
  at most once over one value;
- one rendering may make at most ``BUDGET`` characters (or items) in calls, filters,
  operators and ``~``, and render at most ``OUTPUT`` characters per field.

These bound what a rendering makes, not every step of work (``xs|sort`` over a million items
makes one list and takes 2 s): ``scheduler.template_worker`` runs each rendering in a process
stopped after a second and bounded in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextvars import ContextVar
from functools import lru_cache, wraps
from typing import Any

from jinja2 import StrictUndefined, Template, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

LIMIT = 1_000_000  # the largest number a template may pass or make, and the longest repetition: no message needs more
SHORT = 100  # the longest text a filter or method may insert once per item, line or match
BUDGET = 10 * LIMIT  # characters (or items) one rendering's calls, filters and operators may make together
OUTPUT = 100_000  # characters one field may render to (a stored body is at most 20,000)
# Each multiplies work by a number, quadratically or per item (``sum`` of lists, ``wordwrap`` of a
# long word, ``tojson`` and ``pprint`` with their indents): no message needs them.
REFUSED_FILTERS = frozenset(("format", "indent", "sum", "wordwrap", "tojson", "pprint"))
REFUSED_METHODS = frozenset(("format", "format_map", "expandtabs", "translate", "maketrans", "encode"))
INSERTING_FILTERS = frozenset(("join", "replace", "batch", "slice", "urlize"))  # text args inserted per item
INSERTING_METHODS = frozenset(("replace",))
REFUSED_NODES = {nodes.Macro: "macro", nodes.CallBlock: "call", nodes.Assign: "set", nodes.AssignBlock: "set",
                 nodes.With: "with", nodes.Block: "block", nodes.FilterBlock: "filter", nodes.Extends: "extends",
                 nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "from ... import"}
PLAIN = (str, int, float, bool, type(None))

_spent: ContextVar[list[int]] = ContextVar("template_work")


def _check_sizes(values: tuple[Any, ...]) -> None:
    for value in values:
        if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > LIMIT:
            raise SecurityError(f"numbers above {LIMIT:,} are not allowed in a template")


def _check_inserted(name: str, values: tuple[Any, ...]) -> None:
    """Texts ``name`` would insert once per item, line or match."""
    if any(isinstance(value, str) and len(value) > SHORT for value in values):
        raise SecurityError(f"{name}: texts over {SHORT} characters cannot be inserted in a template")


def _weight(value: Any) -> int:
    """Characters (or items) ``value`` holds, nested sequences included; anything but text,
    numbers and lists of them (a dict, a bound method) as much as a repetition may make."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | tuple):
        return len(value) + sum(_weight(item) for item in value if not isinstance(item, int | float | bool | None))
    return 1 if isinstance(value, PLAIN) else LIMIT


def _charge(result: Any) -> Any:
    """Count what ``result`` made against the rendering's budget."""
    spent = _spent.get(None)
    if spent is not None:
        spent[0] += len(result) if isinstance(result, str | list | tuple | dict) else 1
        if spent[0] > BUDGET:
            raise SecurityError(f"this template makes over {BUDGET:,} characters of values: too much work")
    return result


def _bounded(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    passed = 1 if getattr(function, "jinja_pass_arg", None) else 0  # the context Jinja passes first
    # Where the inserted texts start: after the value (and replace's first argument, what it looks for).
    inserted = passed + (2 if name == "replace" else 1) if name in INSERTING_FILTERS else None

    @wraps(function)  # keeps Jinja's pass_context/pass_environment marks
    def checked(*args: Any, **kwargs: Any) -> Any:
        if _spent.get(None) is None:  # compiling: Jinja folds constant filters then, outside any budget
            raise SecurityError(f"{name} runs when the template renders")  # (so it does not fold them)
        _check_sizes((*args, *kwargs.values()))
        if inserted is not None:
            _check_inserted(name, (*args[inserted:], *kwargs.values()))
        return _charge(function(*args, **kwargs))
    return checked


def _check_method(obj: Any, name: Any) -> None:
    if isinstance(obj, str) and name in REFUSED_METHODS:
        raise SecurityError(f"str.{name} is not allowed in a template")
    if isinstance(obj, bytes | bytearray):  # bytes have their own % and methods: none is for a message
        raise SecurityError("bytes are not allowed in a template")


class _Generator(CodeGenerator):
    """Jinja's code generator, with ``~`` compiled to ``environment.joined`` (charged) instead
    of its own join: a value joined to itself many times would otherwise cost nothing."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.joined((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class _Sandbox(ImmutableSandboxedEnvironment):  # no list.append and the like: a message needs none
    intercepted_binops = frozenset(("*", "**", "%", "+"))
    code_generator_class = _Generator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = {name: _bounded(name, f) for name, f in self.filters.items() if name not in REFUSED_FILTERS}
        self.globals = {"range": self.globals["range"]}  # the sandbox's (100,000 at most); lipsum, dict and the rest: none

    @staticmethod
    def joined(values: tuple[Any, ...]) -> str:
        """What ``a ~ b ~ ...`` makes, counted against the budget one value at a time."""
        return "".join([_charge(str(value)) for value in values])

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_sizes((left, right))
        if operator == "%" and isinstance(left, str):
            raise SecurityError("formatting text with % is not allowed in a template; join values with ~")
        if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
            raise SecurityError("powers above 64 are not allowed in a template")
        if isinstance(left, str | list | tuple) or isinstance(right, str | list | tuple):
            repeated = _weight(left if isinstance(left, str | list | tuple) else right) * (
                right if isinstance(right, int) else left if isinstance(left, int) else 1)
            if repeated > LIMIT:
                raise SecurityError(f"repetitions longer than {LIMIT:,} are not allowed in a template")
        result = super().call_binop(context, operator, left, right)
        _check_sizes((result,))
        return _charge(result)

    def getattr(self, obj: Any, attribute: str) -> Any:
        _check_method(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _check_method(obj, argument)
        return super().getitem(obj, argument)

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        owner, name = getattr(obj, "__self__", None), getattr(obj, "__name__", "")
        if isinstance(owner, str) and name == "join":
            _check_inserted("join", (owner,))
        if isinstance(owner, str) and name in INSERTING_METHODS:
            _check_inserted(name, (*args[1:], *kwargs.values()))
        _check_sizes((*args, *kwargs.values()))
        return _charge(super().call(context, obj, *args, **kwargs))


_jinja = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


def parse(source: str) -> nodes.Template:
    """The template's syntax tree, refused (``SecurityError``) if it nests loops, assigns, uses
    macros or a refused filter."""
    tree = _jinja.parse(source)
    for used in tree.find_all(nodes.Filter):
        if used.name in REFUSED_FILTERS:
            raise SecurityError(f"the {used.name} filter is not allowed in a message template")
    for refused, name in REFUSED_NODES.items():
        if tree.find(refused) is not None:
            advice = ": write each value where it is shown" if name in ("set", "with") else ""
            raise SecurityError(f"{{% {name} %}} is not allowed in a message template{advice}")
    for loop in tree.find_all(nodes.For):
        if loop.recursive or loop.find(nodes.For) is not None:
            raise SecurityError("loops inside loops are not allowed in a message template")
    return tree


@lru_cache(maxsize=256)
def compiled(source: str) -> Template:
    """Compiling is what rendering costs (about 1 ms a template): each source once per process."""
    return _jinja.from_string(parse(source))


def render(source: str, values: dict[str, Any]) -> str:
    """``source`` rendered with ``values``, within the budget and ``OUTPUT`` characters."""
    token, size, chunks = _spent.set([0]), 0, []
    try:
        output: Iterator[str] = compiled(source).generate(values)
        for chunk in output:
            size += len(chunk)
            if size > OUTPUT:
                raise SecurityError(f"a template may not render more than {OUTPUT:,} characters")
            chunks.append(chunk)
    finally:
        _spent.reset(token)
    return "".join(chunks)
