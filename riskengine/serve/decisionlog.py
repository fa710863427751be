"""Decision records written off the request path: a bounded queue and one writer thread per process.

Each record is the CLI's (``records.decision_record``: personal data masked the same way) plus the
``decision_id`` the client was given. A record is written with one ``write`` to a file opened for
appending, so several worker processes can share one log without interleaving lines. When the queue is
full (the disk is slower than the requests), the record is counted as dropped rather than making a
client wait; the count is in /metrics and /v1/status.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import queue
import threading

from riskengine.io.decision_log import decision_record, record_line

log = logging.getLogger("riskengine.serve")
QUEUE_SIZE = 10_000
_STOP = object()


class DecisionLog:
    def __init__(self, path: str, on_drop=lambda: None):
        self.path = path
        self.written = 0
        self.dropped = 0
        self._on_drop = on_drop
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_SIZE)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        self._thread = threading.Thread(target=self._run, name="riskengine-decision-log", daemon=True)
        self._thread.start()

    def submit(self, decision_id: str, case_input: dict, assessment) -> None:
        try:
            self._queue.put_nowait((decision_id, case_input, assessment, dt.datetime.now(dt.timezone.utc)))
        except queue.Full:
            self._drop()

    def _drop(self) -> None:
        self.dropped += 1
        self._on_drop()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            decision_id, case_input, assessment, now = item
            try:
                record = decision_record(case_input, assessment, now)
                record["decision_id"] = decision_id
                data = record_line(record).encode("utf-8")
                while data:
                    data = data[os.write(self._fd, data):]
                self.written += 1
            except Exception as exc:         # a full disk must not stop the service
                log.error("decision record %s not written: %s", decision_id, exc)
                self._drop()

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop."""
        self._queue.put(_STOP)
        self._thread.join(timeout)
        os.close(self._fd)
