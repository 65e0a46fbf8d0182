"""The request log behind `GET /_sim/requests`: one entry per API call, in order."""

import threading


class RequestLog:
    """Entries are dicts: {"method", "path", "query", "status", "write"} plus what an emulator adds (k8s_sim: "dry_run",
    "verb", "resource"). `status` 0 means the client got no answer (a `reset` or `reset_after` fault); an entry whose answer
    a fault decided also names it: "fault": "<action>"."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []

    def add(self, entry):
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
