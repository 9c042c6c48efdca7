"""Stop requests from outside: SIGINT (Ctrl-C), SIGTERM (a scheduler, a container runtime,
`timeout`) and SIGHUP (the terminal closed) all unwind a run the same way, so its kernels are ended
and its partial folder removed (`schedule.execute_all`, `run.run_playbook`)."""

from __future__ import annotations

import contextlib
import signal


class Stopped(BaseException):
    """A stop request from outside the terminal (SIGTERM from a scheduler, a container runtime or
    `timeout`; SIGHUP when the terminal closes): it unwinds a run exactly as Ctrl-C does."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_requested: int | None = None  # the signal of the stop request being honoured, if any


def _raise(signum: int) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Stopped(signum)


def requested() -> int | None:
    """The signal of a stop request received while `stop_requests` was in force, else None."""
    return _requested


def check() -> None:
    """Raise the stop request again if one arrived. Native code that checks for signals itself
    (DuckDB does, while it runs a query) may swallow the first raise and carry on, or turn it into
    its own error; the runner calls this between its steps so such a request still stops it."""
    if _requested is not None:
        _raise(_requested)


@contextlib.contextmanager
def stop_requests():
    """While a run lasts: SIGTERM and SIGHUP raise `Stopped` and SIGINT `KeyboardInterrupt` in the
    main thread, once; a second request during the clean-up is ignored so the clean-up finishes."""
    global _requested
    _requested = None

    def handler(signum, _frame):
        global _requested
        if _requested is not None:
            return
        _requested = signum
        _raise(signum)

    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {s: signal.signal(s, handler) for s in handled}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
