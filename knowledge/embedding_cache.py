"""Never embed the same passage twice: a persistent cache of passage vectors, and an LRU of
recent query vectors in memory.

Passages are keyed by sha256(model id, runtime, prompt, text): a ``--rebuild``, a
loader or a chunker change re-embeds only the texts that changed, and boilerplate repeated
across documents is embedded once. SQLite in WAL mode under the data dir, like the catalog:
a vector is written in the same transaction as its key, so a crash loses at most the batch
being embedded, never leaves half a row. Bounded: past ``max_entries`` the least recently
used rows go.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from knowledge.protocols import Embedder

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    key BLOB PRIMARY KEY,
    vector BLOB NOT NULL,
    used INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS vectors_used ON vectors(used);
"""
# SQLite's default limit on host parameters is 999 in older builds.
_LOOKUP_BATCH = 500


class EmbeddingCache:
    def __init__(self, path: Path, max_entries: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._max_entries = max_entries
        # The service embeds from worker threads; one connection, one writer at a time.
        self._lock = threading.Lock()
        row = self._db.execute("SELECT COALESCE(MAX(used), 0) FROM vectors").fetchone()
        self._clock = int(row[0])

    def close(self) -> None:
        self._db.close()

    def get(self, keys: Sequence[bytes]) -> dict[bytes, list[float]]:
        found: dict[bytes, list[float]] = {}
        with self._lock:
            for start in range(0, len(keys), _LOOKUP_BATCH):
                part = list(keys[start : start + _LOOKUP_BATCH])
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part
                ).fetchall()
                found.update(
                    (bytes(key), np.frombuffer(blob, dtype=np.float32).tolist())
                    for key, blob in rows
                )
            if found:
                self._clock += 1
                self._db.executemany(
                    "UPDATE vectors SET used = ? WHERE key = ?",
                    [(self._clock, key) for key in found],
                )
        return found

    def put(self, entries: Mapping[bytes, Sequence[float]]) -> None:
        if not entries:
            return
        with self._lock:
            self._clock += 1
            rows = [
                (key, np.asarray(vector, dtype=np.float32).tobytes(), self._clock)
                for key, vector in entries.items()
            ]
            self._db.execute("BEGIN")
            try:
                self._db.executemany(
                    "INSERT INTO vectors(key, vector, used) VALUES (?, ?, ?) ON CONFLICT(key) "
                    "DO UPDATE SET vector = excluded.vector, used = excluded.used",
                    rows,
                )
                self._evict()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])

    def _evict(self) -> None:
        (count,) = self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()
        excess = int(count) - self._max_entries
        if excess > 0:
            self._db.execute(
                "DELETE FROM vectors WHERE key IN (SELECT key FROM vectors ORDER BY used LIMIT ?)",
                (excess,),
            )


class CachedEmbedder:
    """An embedder that asks ``inner`` only for the passages and queries it has not seen.

    ``namespace`` (model id, runtime, passage prompt) starts every key: another runtime or
    prompt is a cache miss, never a stale vector.
    """

    def __init__(
        self,
        inner: Embedder,
        cache: EmbeddingCache,
        namespace: tuple[str, ...],
        query_cache_size: int,
    ) -> None:
        self.inner = inner
        self._cache = cache
        self._prefix = hashlib.sha256(b"".join(part.encode() + b"\x00" for part in namespace))
        self._queries: OrderedDict[str, list[float]] = OrderedDict()
        self._query_cache_size = query_cache_size
        self._queries_lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        keys = [self._key(text) for text in texts]
        found = self._cache.get(list(dict.fromkeys(keys)))
        # Each distinct missing text once, however often it repeats in the batch.
        missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in found}
        if missing:
            fresh = self.inner.embed_documents(list(missing.values()))
            computed = dict(zip(missing, fresh, strict=True))
            self._cache.put(computed)
            found.update(computed)
        return [found[key] for key in keys]

    def embed_query(self, text: str) -> list[float]:
        with self._queries_lock:
            vector = self._queries.get(text)
            if vector is not None:
                self._queries.move_to_end(text)
                return vector
        vector = self.inner.embed_query(text)
        with self._queries_lock:
            self._queries[text] = vector
            if len(self._queries) > self._query_cache_size:
                self._queries.popitem(last=False)
        return vector

    def _key(self, text: str) -> bytes:
        digest = self._prefix.copy()
        digest.update(text.encode("utf-8"))
        return digest.digest()
