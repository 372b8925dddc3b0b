"""One receiver per queue, a few handlers: how the pollers read a queue of the local AWS.

A single thread receives, so two receives never race for the same message
(moto's server answers requests on several threads at once); up to
`concurrency` units of work (a batch, or one event) are handled at a time.
Each receive asks for as many units as there are free handlers (`receive(n)`),
and nothing is received while none is free, so no message waits out its
visibility timeout in this process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

Work = TypeVar("Work")
_SLOT_WAIT = 0.5  # seconds between looks at the stop flag while every handler is busy


class ReceiveLoop(Generic[Work]):
    def __init__(
        self,
        name: str,
        receive: Callable[[int], list[Work]],
        handle: Callable[[Work], None],
        *,
        concurrency: int,
        on_error: Callable[[Exception], None],
    ) -> None:
        self.name = name
        self.receive = receive
        self.handle = handle
        self.on_error = on_error
        self.stopping = threading.Event()
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        self._executor = ThreadPoolExecutor(max(1, concurrency), thread_name_prefix=name)
        self._thread = threading.Thread(target=self._run, daemon=True, name=name)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _run(self) -> None:
        while not self.stopping.is_set():
            if not self._slots.acquire(timeout=_SLOT_WAIT):
                continue
            free = 1
            while self._slots.acquire(blocking=False):
                free += 1
            try:
                work = self.receive(free)[:free]
            except Exception as error:  # the local AWS is stopping, or a transient failure
                work = []
                if not self.stopping.is_set():
                    self.on_error(error)
                    self.stopping.wait(0.5)
            for _ in range(free - len(work)):
                self._slots.release()
            for item in work:
                self._executor.submit(self._handle_one, item)

    def _handle_one(self, item: Work) -> None:
        try:
            self.handle(item)
        except Exception as error:  # the unit failed to settle: it stays in its queue
            self.on_error(error)
        finally:
            self._slots.release()
