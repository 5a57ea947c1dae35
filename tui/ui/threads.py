"""Handing results from worker threads back to the event loop.

Every library call the UI makes runs in a thread worker. The result comes back through
:func:`deliver`, which queues a callback on a widget's message queue without waiting for
it: ``App.call_from_thread`` blocks the worker until the loop runs the callback, and a
worker blocked like that while the app shuts down keeps the process from exiting.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import partial
from typing import Any

from textual import events
from textual.message_pump import MessagePump


def deliver(node: MessagePump, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """From a worker thread, run ``callback(*args, **kwargs)`` on the event loop, queued as
    one of ``node``'s messages.

    Dropped quietly when ``node`` is gone or the app has exited: there is nobody left to
    show the result to.
    """
    with contextlib.suppress(RuntimeError):  # the event loop is closed
        node.post_message(events.Callback(callback=partial(callback, *args, **kwargs)))
