"""The local key-value backend: every store of a stage in one SQLite file.

Several runtime processes (the warm pool of `serve`) and `wasmdeploy kv` share
the file: it runs in WAL mode (readers never wait for the writer), waits for a
busy lock instead of failing (up to the call's deadline), and takes the write
lock up front (`BEGIN IMMEDIATE`) for the read-modify-write of `increment` and
`compare_and_swap`, so concurrent increments never lose an update. An entry
past its TTL is treated as absent on every read and swept now and then.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from wasmdeploy_runtime.kv_store import (
    PAGE_KEYS,
    KvGrant,
    StoreUnavailable,
    check_i64,
    parse_integer,
)

DEFAULT_BUSY_MS = 5000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    store TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    expires_at REAL,
    PRIMARY KEY (store, key)
) WITHOUT ROWID
"""
_LIVE = "(expires_at IS NULL OR expires_at > ?)"


class SqliteBackend:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._busy_ms = DEFAULT_BUSY_MS
        self._db: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(
                    self.path,
                    timeout=DEFAULT_BUSY_MS / 1000,
                    isolation_level=None,
                    check_same_thread=False,
                )
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute(_SCHEMA)
                db.execute("DELETE FROM entries WHERE expires_at <= ?", (time.time(),))
            except (OSError, sqlite3.Error) as error:
                raise StoreUnavailable(f"cannot open {self.path}: {error}") from None
            self._db = db
        return self._db

    def _ready(self, deadline: float | None) -> sqlite3.Connection:
        db = self._connection()
        busy = DEFAULT_BUSY_MS
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StoreUnavailable("the invocation's time is up")
            busy = min(DEFAULT_BUSY_MS, int(remaining * 20 + 1) * 50)
        if busy != self._busy_ms:
            db.execute(f"PRAGMA busy_timeout={busy}")
            self._busy_ms = busy
        return db

    def get(self, grant: KvGrant, key: str, deadline: float | None) -> bytes | None:
        with self._lock, _errors():
            row = (
                self._ready(deadline)
                .execute(
                    f"SELECT value FROM entries WHERE store = ? AND key = ? AND {_LIVE}",
                    (grant.store, key, time.time()),
                )
                .fetchone()
            )
        return None if row is None else bytes(row[0])

    def exists(self, grant: KvGrant, key: str, deadline: float | None) -> bool:
        return self.get(grant, key, deadline) is not None

    def set(self, grant: KvGrant, key: str, value: bytes, deadline: float | None) -> None:
        with self._lock, _errors():
            _write(self._ready(deadline), grant, key, value)

    def delete(self, grant: KvGrant, key: str, deadline: float | None) -> None:
        with self._lock, _errors():
            self._ready(deadline).execute(
                "DELETE FROM entries WHERE store = ? AND key = ?", (grant.store, key)
            )

    def increment(self, grant: KvGrant, key: str, delta: int, deadline: float | None) -> int:
        with self._lock, _errors():
            db = self._ready(deadline)
            with _immediate(db):
                current = _read(db, grant, key)
                number = check_i64((0 if current is None else parse_integer(current)) + delta)
                _write(db, grant, key, str(number).encode())
        return number

    def compare_and_swap(
        self,
        grant: KvGrant,
        key: str,
        old: bytes | None,
        new: bytes,
        deadline: float | None,
    ) -> bool:
        with self._lock, _errors():
            db = self._ready(deadline)
            with _immediate(db):
                if _read(db, grant, key) != old:
                    return False
                _write(db, grant, key, new)
        return True

    def list_keys(
        self, grant: KvGrant, prefix: str, cursor: str, deadline: float | None
    ) -> tuple[list[str], str]:
        with self._lock, _errors():
            rows = (
                self._ready(deadline)
                .execute(
                    "SELECT key FROM entries WHERE store = ? AND key > ? AND key >= ? "
                    f"AND substr(key, 1, ?) = ? AND {_LIVE} ORDER BY key LIMIT ?",
                    (grant.store, cursor, prefix, len(prefix), prefix, time.time(), PAGE_KEYS + 1),
                )
                .fetchall()
            )
        keys = [str(row[0]) for row in rows[:PAGE_KEYS]]
        return keys, keys[-1] if len(rows) > PAGE_KEYS else ""

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def _read(db: sqlite3.Connection, grant: KvGrant, key: str) -> bytes | None:
    row = db.execute(
        f"SELECT value FROM entries WHERE store = ? AND key = ? AND {_LIVE}",
        (grant.store, key, time.time()),
    ).fetchone()
    return None if row is None else bytes(row[0])


def _write(db: sqlite3.Connection, grant: KvGrant, key: str, value: bytes) -> None:
    expires = None if grant.ttl is None else time.time() + grant.ttl
    db.execute(
        "INSERT OR REPLACE INTO entries (store, key, value, expires_at) VALUES (?, ?, ?, ?)",
        (grant.store, key, value, expires),
    )


class _immediate:
    """A write transaction that holds the lock from its first statement."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *_rest: object) -> None:
        self._db.execute("ROLLBACK" if kind is not None else "COMMIT")


class _errors:
    """SQLite's failures (a lock held past the deadline, a broken file) as StoreUnavailable."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, _trace: object) -> None:
        if isinstance(error, sqlite3.Error):
            raise StoreUnavailable(f"sqlite: {error}") from None
