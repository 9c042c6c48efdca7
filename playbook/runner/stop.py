"""Stop requests from outside: SIGINT (Ctrl-C), SIGTERM (a scheduler, a container runtime,
`timeout`) and SIGHUP (the terminal closed) all unwind a run the same way, so its kernels are ended
and its partial folder removed (`run.execute_all`, `run.run_playbook`)."""

from __future__ import annotations

import contextlib
import signal


class Stopped(BaseException):
    """A stop request from outside the terminal (SIGTERM from a scheduler, a container runtime or
    `timeout`; SIGHUP when the terminal closes): it unwinds a run exactly as Ctrl-C does."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextlib.contextmanager
def stop_requests():
    """While a run lasts: SIGTERM and SIGHUP raise `Stopped` and SIGINT `KeyboardInterrupt` in the
    main thread, once; a second request during the clean-up is ignored so the clean-up finishes."""
    stopping = False

    def handler(signum, frame):
        nonlocal stopping
        if stopping:
            return
        stopping = True
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise Stopped(signum)

    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {s: signal.signal(s, handler) for s in handled}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
