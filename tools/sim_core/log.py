"""The request log behind `GET /_sim/requests`: one entry per API call, in order, with the emulator's time on it."""

import contextlib
import threading
import time


class CallClock:
    """The time an emulator spends on one call: wall time since the clock was made (once the request is read), less
    the time inside `paused()` (the configured latency, a fault's delay, waiting for another call to finish, a
    watch waiting for events), so the `elapsed_ms` of a run's calls add up to the emulator's share of that run.
    """

    def __init__(self, timer=time.perf_counter, sleeper=time.sleep):
        self._timer = timer
        self._sleeper = sleeper
        self._start = timer()
        self._paused = 0.0

    @contextlib.contextmanager
    def paused(self):
        """Time in this block does not count (works around `await` too)."""
        begin = self._timer()
        try:
            yield
        finally:
            self._paused += self._timer() - begin

    def sleep(self, seconds):
        """Sleep `seconds`, not counted."""
        with self.paused():
            self._sleeper(seconds)

    def elapsed_ms(self):
        """Milliseconds counted so far (>= 0, rounded to the microsecond)."""
        return round(max(0.0, self._timer() - self._start - self._paused) * 1000.0, 3)


class RequestLog:
    """Entries are dicts: {"method", "path", "query", "status", "write", "elapsed_ms", "bytes"} plus what an emulator
    adds (k8s_sim: "dry_run", "verb", "resource"). `status` 0 means the client got no answer (a `reset` or
    `reset_after` fault); an entry whose answer a fault decided also names it: "fault": "<action>". `elapsed_ms` is
    the emulator's time on the call (see `CallClock`), `bytes` the size of the response body it sent (0 without one).
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []

    def add(self, entry, clock=None, size=None):
        """Append an entry; with a `clock` and a body `size`, set its "elapsed_ms" and "bytes" first."""
        if clock is not None:
            entry["elapsed_ms"] = clock.elapsed_ms()
        if size is not None:
            entry["bytes"] = size
        with self._lock:
            self._entries.append(entry)

    def entries(self):
        with self._lock:
            return list(self._entries)

    def clear(self):
        """Empty the log; returns how many entries it held."""
        with self._lock:
            cleared = len(self._entries)
            self._entries = []
        return cleared
