"""Handing work to thread workers and their results back to the event loop.

Every library call the UI makes runs in a thread worker. The result comes back through
:func:`deliver`, which queues a callback on a widget's message queue without waiting for
it: ``App.call_from_thread`` blocks the worker until the loop runs the callback, and a
worker blocked like that while the app shuts down keeps the process from exiting.

Textual's ``@work`` decorates methods of widgets, screens and apps only. The plain classes
a screen or the app owns (:mod:`tui.ui.screens.main`'s controllers, the add-feed flow) use
:func:`thread_worker` instead: the same thread worker, run as one of their ``node``'s, so
that ``exclusive`` groups, cancelling and ``App.workers`` behave as they would with
``@work`` on the node itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import partial, wraps
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from textual import events
from textual.message import Message
from textual.worker import Worker

P = ParamSpec("P")


class Postbox(Protocol):
    """Anything with a message queue (a widget, a screen, the app)."""

    def post_message(self, message: Message) -> bool: ...


class WorkerNode(Postbox, Protocol):
    """A DOM node that runs workers (a widget, a screen, the app)."""

    def run_worker(
        self,
        work: Callable[[], object],
        name: str | None = "",
        group: str = "default",
        description: str = "",
        exit_on_error: bool = True,
        start: bool = True,
        exclusive: bool = False,
        thread: bool = False,
    ) -> Worker[object]: ...


class Owned(Protocol):
    """A plain class owned by a DOM node, whose thread workers run as that node's."""

    @property
    def node(self) -> WorkerNode: ...


OwnedT = TypeVar("OwnedT", bound=Owned)


def deliver(node: Postbox, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """From a worker thread, run ``callback(*args, **kwargs)`` on the event loop, queued as
    one of ``node``'s messages.

    Dropped quietly when ``node`` is gone or the app has exited: there is nobody left to
    show the result to.
    """
    with contextlib.suppress(RuntimeError):  # the event loop is closed
        node.post_message(events.Callback(callback=partial(callback, *args, **kwargs)))


def thread_worker(
    *, group: str, exclusive: bool = False
) -> Callable[[Callable[Concatenate[OwnedT, P], None]], Callable[Concatenate[OwnedT, P], None]]:
    """``@work(thread=True, group=..., exclusive=...)`` for a method of a class that
    :class:`Owned` describes: calling the method starts it in a thread worker of the
    instance's ``node``."""

    def decorate(
        method: Callable[Concatenate[OwnedT, P], None],
    ) -> Callable[Concatenate[OwnedT, P], None]:
        @wraps(method)
        def start(self: OwnedT, /, *args: P.args, **kwargs: P.kwargs) -> None:
            self.node.run_worker(
                partial(method, self, *args, **kwargs),
                name=method.__name__,
                group=group,
                exclusive=exclusive,
                thread=True,
            )

        return start

    return decorate
