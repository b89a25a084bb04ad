"""Concurrent writes committed together: one fsync for every report waiting at that moment."""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from data_feeds.store import Store


class _JobFailed(Exception):
    """A job raised in a batch run without savepoints: the transaction is gone, the batch runs again isolated."""


class GroupCommitter:
    """One writer thread per process that commits concurrent writes together.

    Each request hands in a job and waits; the writer runs every job queued at that moment
    in one transaction, commits once, and only then answers them all. A commit costs one fsync
    however many reports it carries, and writers never contend for the lock inside a process.
    One bad job fails alone: a batch first runs straight through (a savepoint per job was two more
    round trips per report on PostgreSQL), and only if a job raises is it rolled back and run again
    with each job in its own savepoint.
    """

    def __init__(self, store: Store, max_batch: int = 256):
        self.store, self.max_batch = store, max_batch
        self.pid = os.getpid()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._loop, name="group-commit", daemon=True).start()

    def run(self, job: Callable[[Connection], object]):
        future: Future = Future()
        self._queue.put((job, future))
        return future.result()

    def _loop(self) -> None:
        while True:
            self._commit(self._queue.get())

    def _take_waiting(self, batch: list) -> None:
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                return

    def _commit(self, first) -> None:
        """The jobs waiting now, and those that arrive while the write lock is awaited (another process or the
        worker holds it): the batch grows with the contention, so a busy store makes fewer, larger commits."""
        batch = [first]
        try:
            try:
                outcomes = self._attempt(batch, isolated=False)
            except _JobFailed as failed:
                if len(batch) == 1:  # its own transaction, rolled back: nothing else to save
                    outcomes = [(batch[0][1], None, failed.__cause__)]
                else:
                    outcomes = self._attempt(batch, isolated=True)
        except BaseException as exc:  # noqa: BLE001 - the commit failed: nothing in the batch is stored
            for _job, future in batch:
                future.set_exception(exc)
            return
        for future, result, exc in outcomes:  # answered only after the commit is on disk
            if exc is None:
                future.set_result(result)
            else:
                future.set_exception(exc)

    def _attempt(self, batch: list, isolated: bool) -> list:
        """Run the batch in one transaction. Straight through (raises _JobFailed, rolling back, if a job raises),
        or `isolated`: each job in a savepoint, a failing one rolled back alone. -> (future, result, error) each."""
        outcomes = []
        with self.store.write() as conn:
            if not isolated:
                self._take_waiting(batch)
            raw = conn.connection.driver_connection  # savepoints said to the driver: the lock is held meanwhile
            for job, future in batch:
                if not isolated:
                    try:
                        outcomes.append((future, job(conn), None))
                    except BaseException as exc:  # noqa: BLE001 - run again isolated, or handed back
                        raise _JobFailed() from exc
                    continue
                raw.execute("SAVEPOINT job")
                try:
                    result = job(conn)
                except BaseException as exc:  # noqa: BLE001 - handed back to that request
                    raw.execute("ROLLBACK TO SAVEPOINT job")
                    raw.execute("RELEASE SAVEPOINT job")
                    outcomes.append((future, None, exc))
                else:
                    raw.execute("RELEASE SAVEPOINT job")
                    outcomes.append((future, result, None))
        return outcomes
