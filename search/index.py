"""The index folder: where the current index is, its one writer, and the rebuild swap.

Layout under the folder (``DATA_DIR/search`` in the portal)::

    CURRENT                  name of the live index folder (replaced atomically)
    index-20260101T120000-ab12/   a Whoosh index
    write.lock               held (flock) by whoever writes: one writer at a time,
                             across threads and processes
    rebuild.lock             held while ``rebuild`` builds a new index aside
    rebuild.journal          ids changed while a rebuild runs, replayed before the swap

Every write goes through :meth:`SearchIndex.update` (or :meth:`rebuild`), which
takes ``write.lock`` first, so Whoosh's own lock is never contended and never
raises ``LockError``; a writer that has to wait waits. ``update`` reads the
documents (through the caller's ``load``) *inside* the lock, so whichever job
runs last writes the newest state and no update is lost.

``rebuild`` builds a complete index in a new folder while searches (and
updates) keep using the current one, replays what changed meanwhile, and swaps
``CURRENT`` under the lock. Searchers notice the new pointer on their next
search. The previous folder is kept until the next rebuild, for searchers
still reading it.
"""
from __future__ import annotations

import fcntl
import gc
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from multiprocessing import get_context
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import TOC, clean_files
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

from . import schema as f
from . import whoosh_private
from .bulk import BulkWriter
from .documents import SearchDocument
from .fields import index_fields

POINTER = "CURRENT"
WRITE_LOCK = "write.lock"
REBUILD_LOCK = "rebuild.lock"
JOURNAL = "rebuild.journal"
# A rebuild writes segments of at most this many files (memory: roughly 10 kB per file).
SEGMENT_DOCS = 50_000
# Updates write small segments; once there are this many below this size, they are merged.
SMALL_SEGMENT_DOCS = 10_000
MERGE_AFTER = 8

Loader = Callable[[Sequence[int]], list[SearchDocument]]


class IndexBusy(RuntimeError):
    """The write lock could not be taken in time (a job retries later)."""


class RebuildRunning(RuntimeError):
    """Another rebuild is already building an index."""


@dataclass
class UpdateReport:
    updated: int = 0
    deleted: int = 0


def _timestamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")


@contextmanager
def _flock(path: Path, timeout: float | None, poll: float = 0.02) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (works across threads and processes).

    ``timeout`` None waits forever; 0 tries once.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise IndexBusy(f"{path} is held by another writer") from None
                time.sleep(poll)
                poll = min(poll * 1.5, 0.25)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class SearchIndex:
    """One index folder; cheap to create (searchers are cached per thread)."""

    def __init__(self, root: str | os.PathLike[str], lock_timeout: float = 600.0) -> None:
        self.root = Path(root)
        self.lock_timeout = lock_timeout
        self._local = threading.local()

    # --- where the index is -------------------------------------------------

    def current_path(self) -> Path | None:
        """The live index folder, or None before the first build."""
        try:
            name = (self.root / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        path = self.root / name
        return path if name and path.is_dir() else None

    def _set_current(self, path: Path) -> None:
        tmp = self.root / f"{POINTER}.{secrets.token_hex(4)}.tmp"
        tmp.write_text(path.name, encoding="utf-8")
        os.replace(tmp, self.root / POINTER)  # atomic: readers see the old or the new name

    def _new_folder(self) -> Path:
        path = self.root / f"index-{_timestamp()}-{secrets.token_hex(2)}"
        path.mkdir(parents=True)
        whoosh_index.create_in(str(path), f.make_schema())
        return path

    def _ensure_current(self) -> Path:
        """The live folder, creating an empty index if there is none (call under the lock)."""
        path = self.current_path()
        if path is None:
            path = self._new_folder()
            self._set_current(path)
        return path

    def exists(self) -> bool:
        return self.current_path() is not None

    @contextmanager
    def write_lock(self, timeout: float | None = None) -> Iterator[None]:
        """The one-writer lock (see the module docstring)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with _flock(self.root / WRITE_LOCK, self.lock_timeout if timeout is None else timeout):
            yield

    # --- incremental updates ------------------------------------------------

    def update(self, ids: Iterable[int], load: Loader) -> UpdateReport:
        """Bring the index up to date for ``ids``.

        ``load(ids)`` returns the documents that exist now; every other id is
        deleted from the index. Runs under the write lock; if a rebuild is
        building aside, the ids are also noted for it to replay.
        """
        ids = sorted(set(ids))
        if not ids:
            return UpdateReport()
        with self.write_lock():
            self._note_for_rebuild(ids)
            return self._apply(self._ensure_current(), ids, load)

    def _apply(self, path: Path, ids: Sequence[int], load: Loader) -> UpdateReport:
        docs = load(ids)
        found = {doc.id for doc in docs}
        ix = whoosh_index.open_dir(str(path))
        writer = SegmentWriter(ix, _lk=False)  # our write lock is held; Whoosh's is not needed
        try:
            for doc_id in ids:
                if doc_id not in found:
                    writer.delete_by_term(f.ID, str(doc_id))
            known = set(ix.schema.names())  # an index built before a field existed ignores it
            for doc in docs:
                writer.update_document(**{k: v for k, v in index_fields(doc).items() if k in known})
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=merge_small_segments)
        return UpdateReport(updated=len(docs), deleted=len(ids) - len(found))

    def _note_for_rebuild(self, ids: Sequence[int]) -> None:
        journal = self.root / JOURNAL
        if not journal.exists():
            return
        try:
            with _flock(self.root / REBUILD_LOCK, timeout=0):
                # Nobody holds the rebuild lock: the journal is left over from a crash.
                journal.unlink(missing_ok=True)
                return
        except IndexBusy:
            pass
        with journal.open("a", encoding="ascii") as out:
            out.write("".join(f"{i}\n" for i in ids))

    def applied(self) -> dict[int, int] | None:
        """File id → the version the index applied; None if the index predates version columns or page text.

        Empty when there is no index yet. Reads two columns, not the stored cards.
        """
        path = self.current_path()
        if path is None:
            return {}
        ix = whoosh_index.open_dir(str(path))
        if f.APPLIED_ID not in ix.schema.names() or f.PAGE_TEXT not in ix.schema.names():
            return None  # an index from before version columns or page text: rebuilt whole
        with ix.reader() as reader:
            if reader.doc_count() == 0:
                return {}
            ids = reader.column_reader(f.APPLIED_ID)
            versions = reader.column_reader(f.APPLIED_VERSION)
            return {int(ids[n]): int(versions[n]) for n in reader.all_doc_ids()}

    def doc_count(self) -> int:
        """How many files the live index holds (0 before the first build)."""
        path = self.current_path()
        if path is None:
            return 0
        with whoosh_index.open_dir(str(path)).reader() as reader:
            return reader.doc_count()

    # --- rebuild -------------------------------------------------------------

    def rebuild(self, batches: Iterable[Sequence[SearchDocument]], load: Loader, *,
                progress: Callable[[int], None] | None = None, procs: int = 1,
                segment_docs: int = SEGMENT_DOCS) -> Path:
        """Build a complete index aside from ``batches``, then swap it in.

        Searches keep using the current index meanwhile; ids updated while the
        build runs are replayed (through ``load``) before the swap. ``procs``
        > 1 builds segments in that many worker processes. Returns the new folder.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with ExitStack() as stack:
            try:
                stack.enter_context(_flock(self.root / REBUILD_LOCK, timeout=0))
            except IndexBusy:
                raise RebuildRunning("a rebuild is already running") from None
            return self._rebuild(batches, load, progress=progress, procs=procs, segment_docs=segment_docs)

    def _rebuild(self, batches, load: Loader, *, progress, procs: int, segment_docs: int) -> Path:
        path = None
        try:
            with self.write_lock():
                (self.root / JOURNAL).write_text("", encoding="ascii")
            path = self._new_folder()
            build_segments(path, batches, progress=progress, procs=procs, segment_docs=segment_docs)
            with self.write_lock():
                journal = self.root / JOURNAL
                pending = sorted({int(line) for line in journal.read_text(encoding="ascii").split()})
                if pending:
                    self._apply(path, pending, load)
                previous = self.current_path()
                self._set_current(path)
                journal.unlink(missing_ok=True)
            self._remove_old(keep={path.name} | ({previous.name} if previous else set()))
            return path
        except BaseException:
            with self.write_lock():
                (self.root / JOURNAL).unlink(missing_ok=True)
            if path is not None:
                shutil.rmtree(path, ignore_errors=True)
            raise

    def _remove_old(self, keep: set[str]) -> None:
        """Remove index folders but the new and the previous one (searchers may still read that)."""
        for old in self.root.glob("index-*"):
            if old.is_dir() and old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)

    # --- searching ------------------------------------------------------------

    def searcher(self) -> Searcher | None:
        """A searcher on the newest state of the live index (cached per thread), or None."""
        return self.current()[1]

    def current(self) -> tuple[Path | None, Searcher | None]:
        """(live folder, a searcher on its newest state), cached per thread; (None, None) before any build.

        Checking costs two ``stat`` calls: the pointer file is replaced (a new inode) at every
        swap, and each Whoosh commit writes the next generation's TOC file.
        """
        try:
            stat = os.stat(self.root / POINTER)
        except FileNotFoundError:
            return None, None
        cached = getattr(self._local, "entry", None)
        key = (stat.st_ino, stat.st_mtime_ns)
        if cached is not None and cached[2] == key and not os.path.exists(cached[3]):
            return cached[0], cached[1]
        # Not Searcher.refresh(): it reuses the readers of unchanged segment ids, with their old
        # deletions, so an updated file would show twice.
        self.close()
        path = self.current_path()
        if path is None:
            return None, None
        ix = whoosh_index.open_dir(str(path))
        searcher = ix.searcher()
        next_toc = path / whoosh_private.toc_filename(ix.indexname, searcher.reader().generation() + 1)
        self._local.entry = (path, searcher, key, next_toc)
        return path, searcher

    def close(self) -> None:
        """Close this thread's cached searcher."""
        cached = getattr(self._local, "entry", None)
        if cached is not None:
            cached[1].close()
            self._local.entry = None


def merge_small_segments(writer, segments):
    """Whoosh merge policy for updates: fold the small segments updates leave into one, never a big one.

    Big segments come from a rebuild (with stored impacts, see search.bulk); merging them would
    take minutes inside an index job. Their deleted documents go at the next rebuild.
    """
    small = [s for s in segments if s.doc_count_all() < SMALL_SEGMENT_DOCS]
    if len(small) < MERGE_AFTER:
        return segments
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in small]


# --- building segments ---------------------------------------------------------

def _write_segment(path: str, docs: Sequence[SearchDocument]):
    """Index ``docs`` into one new segment of the index at ``path``; return the segment."""
    gc.disable()  # millions of small arrays: the cyclic collector would rescan them again and again
    try:
        ix = whoosh_index.open_dir(path)
        writer = BulkWriter(ix, _lk=False)
        for doc in docs:
            writer.add_document(**index_fields(doc))
        return whoosh_private.finish_segment(writer)
    finally:
        gc.enable()


def _chunks(batches: Iterable[Sequence[SearchDocument]], size: int) -> Iterator[list[SearchDocument]]:
    chunk: list[SearchDocument] = []
    for batch in batches:
        for doc in batch:
            chunk.append(doc)
            if len(chunk) >= size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def build_segments(path: Path, batches: Iterable[Sequence[SearchDocument]], *,
                   progress: Callable[[int], None] | None = None, procs: int = 1,
                   segment_docs: int = SEGMENT_DOCS) -> None:
    """Fill the empty index at ``path`` with ``batches`` (one or more segments), then commit its TOC."""
    segments = []
    if procs <= 1:
        for chunk in _chunks(batches, segment_docs):
            segments.append(_write_segment(str(path), chunk))
            if progress:
                progress(len(chunk))
    else:
        with ProcessPoolExecutor(max_workers=procs, mp_context=get_context("spawn")) as pool:
            running = []
            for chunk in _chunks(batches, segment_docs):
                running.append((pool.submit(_write_segment, str(path), chunk), len(chunk)))
                while len(running) >= procs:  # keep at most ``procs`` chunks in memory
                    future, size = running.pop(0)
                    segments.append(future.result())
                    if progress:
                        progress(size)
            for future, size in running:
                segments.append(future.result())
                if progress:
                    progress(size)
    ix = whoosh_index.open_dir(str(path))
    toc = whoosh_private.read_toc(ix)
    TOC(toc.schema, segments, toc.generation + 1).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, toc.generation + 1, segments)
    shutil.rmtree(path / f"{ix.indexname}.tmp", ignore_errors=True)
