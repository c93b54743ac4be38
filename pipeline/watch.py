"""The hot folder: what a network scanner drops into DIR is ingested once, whatever happens.

Life of a file: ``DIR/x.pdf`` (being written by the scanner) → stable size and mtime over the
settle interval → claimed by an atomic rename into ``DIR/processing/`` → ingested (idempotent by
content hash) → renamed into ``DIR/done/``, or into ``DIR/failed/`` after its ``.reason.txt``.
A kill at any point leaves the file in DIR or in processing/; the next start resumes
processing/ first, and a file whose ingest had already committed is recognised as a duplicate
rather than ingested twice. One watcher per folder (an ``flock`` on ``DIR/.watch.lock``).

Subfolders of DIR (one per desk or scanner: ``DIR/desk1/``) are watched too, each with its own
``processing/``, ``done/`` and ``failed/`` beside the scans, so a clerk finds the result of a
desk's scan in that desk's folder. Only one level: the areas themselves and hidden folders are
not desks.

A file that failed only because the object store or the database was down goes back into DIR
by itself once both answer again (at most ``max_attempts`` times in all), so an outage does not
leave a clerk to move files by hand; bad scans stay in failed/.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from config.errors import ExitCode, SohoaError
from pipeline.intake import (
    REASON_SUFFIX,
    FileOutcome,
    Intake,
    Status,
    read_reason,
    reason_path,
    write_reason,
)

log = logging.getLogger(__name__)

PROCESSING, DONE, FAILED = "processing", "done", "failed"
LOCK_NAME = ".watch.lock"
AREAS = frozenset({PROCESSING, DONE, FAILED})
# Sidecars a watcher keeps beside a claimed scan (the remote watcher's job id); never scans.
SIDECAR_SUFFIXES = (REASON_SUFFIX, ".job.txt")
# Names scanners and copy tools use while a file is still being written.
PARTIAL_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".filepart")
# Failures that say nothing about the scan: the store or the database did not answer.
RETRYABLE = frozenset({"storage_unavailable", "database"})


class WatchError(SohoaError):
    exit_code = ExitCode.BAD_ARGS


@dataclass
class WatchStats:
    ingested: int = 0
    duplicates: int = 0
    failed: int = 0
    outcomes: list[FileOutcome] = field(default_factory=list)

    def add(self, outcome: FileOutcome) -> None:
        self.outcomes.append(outcome)
        if outcome.status == Status.INGESTED:
            self.ingested += 1
        elif outcome.status == Status.DUPLICATE:
            self.duplicates += 1
        else:
            self.failed += 1


@dataclass(frozen=True)
class _Seen:
    size: int
    mtime_ns: int
    since: float  # monotonic time the file was first seen with this size and mtime


class HotFolder:
    retryable: frozenset[str] = RETRYABLE  # failure reasons sent back in once ready() again

    def __init__(
        self,
        root: Path,
        intake: Intake,
        *,
        settle_seconds: float = 2.0,
        max_attempts: int = 3,
        requeue_seconds: float = 60.0,
    ) -> None:
        self.root = root
        self.intake = intake
        self.settle = settle_seconds
        self.max_attempts = max_attempts
        self.requeue_seconds = requeue_seconds
        self._attempts: dict[str, int] = {}  # sha256 → attempts so far, for files sent back
        self.processing = root / PROCESSING
        self.done = root / DONE
        self.failed = root / FAILED
        self._seen: dict[str, _Seen] = {}
        self._leftovers = True  # a previous run may have left orphans: recover first
        self._desks: dict[str, HotFolder] = {}

    def spawn(self, path: Path) -> HotFolder:
        """The watcher of one desk subfolder, configured as this one."""
        return HotFolder(
            path,
            self.intake,
            settle_seconds=self.settle,
            max_attempts=self.max_attempts,
            requeue_seconds=self.requeue_seconds,
        )

    def ready(self) -> bool:
        """Whether what a retryable failure waited for answers again."""
        return self.intake.services_ready()

    def desks(self) -> list[HotFolder]:
        """This folder and its desk subfolders (found anew on each call; new ones prepared)."""
        for entry in sorted(os.scandir(self.root), key=lambda e: e.name):
            name = entry.name
            if name in self._desks or name.startswith(".") or name in AREAS:
                continue
            if entry.is_dir(follow_symlinks=False):
                desk = self.spawn(Path(entry.path))
                desk.prepare()
                self._desks[name] = desk
        gone = [name for name, desk in self._desks.items() if not desk.root.is_dir()]
        for name in gone:
            del self._desks[name]
        return [self, *self._desks.values()]

    def _recover(self) -> None:
        try:
            self.intake.recover(include_own=True)
            self._leftovers = False
        except SohoaError as exc:  # store or database still down: try again before the next file
            log.warning("recovery postponed: %s", type(exc).__name__)

    def prepare(self) -> None:
        if not self.root.is_dir():
            raise WatchError(f"Không tìm thấy thư mục {self.root} (no such folder)")
        for sub in (self.processing, self.done, self.failed):
            sub.mkdir(exist_ok=True)

    @contextmanager
    def locked(self) -> Iterator[None]:
        fd = os.open(self.root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise WatchError(
                    "Thư mục đang được một tiến trình khác theo dõi (another watcher holds this folder)"
                ) from None
            yield
        finally:
            os.close(fd)

    # -- finding complete files ---------------------------------------------------------------

    def _candidates(self) -> list[Path]:
        out = []
        for entry in os.scandir(self.root):
            name = entry.name
            if name.startswith(".") or name.lower().endswith(PARTIAL_SUFFIXES):
                continue
            if entry.is_file(follow_symlinks=False):
                out.append(Path(entry.path))
        return sorted(out)

    def stable_files(self) -> list[Path]:
        """Files whose size and mtime have not changed for the settle interval."""
        now = time.monotonic()
        ready: list[Path] = []
        current: dict[str, _Seen] = {}
        for path in self._candidates():
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            previous = self._seen.get(path.name)
            if previous and previous.size == st.st_size and previous.mtime_ns == st.st_mtime_ns:
                seen = previous
            else:
                seen = _Seen(st.st_size, st.st_mtime_ns, now)
            current[path.name] = seen
            if now - seen.since >= self.settle:
                ready.append(path)
        self._seen = current
        return ready

    # -- claiming and finishing ---------------------------------------------------------------

    def claim(self, path: Path) -> Path | None:
        """Move into processing/ by an atomic rename; None if it vanished (someone else took it)."""
        target = _free_name(self.processing / path.name)
        try:
            os.rename(path, target)
        except FileNotFoundError:
            return None
        _fsync_dir(self.processing)
        _fsync_dir(self.root)
        return target

    def finish(self, claimed: Path, outcome: FileOutcome) -> Path:
        attempts = self._attempts.pop(outcome.sha256 or "", 0) + 1
        if outcome.status == Status.FAILED:
            # A reason file without its scan is a leftover of a killed run: overwrite it.
            target = _free_name(self.failed / claimed.name, check_reason=False)
            write_reason(target, outcome, attempts=attempts)  # the reason first: never without one
            os.rename(claimed, target)
            _fsync_dir(self.failed)
        else:
            target = _free_name(self.done / claimed.name, check_reason=False)
            os.rename(claimed, target)
            _fsync_dir(self.done)
        _fsync_dir(self.processing)
        return target

    def process_claimed(
        self, claimed: Path, on_file: Callable[[FileOutcome], None] | None
    ) -> FileOutcome | None:
        if self._leftovers:
            self._recover()
        outcome = self.intake.ingest_file(claimed, quarantine=False)
        if outcome.status == Status.FAILED:
            self._leftovers = True  # its cleanup may have been postponed (store down)
        self.finish(claimed, outcome)
        if on_file:
            on_file(outcome)
        return outcome

    def requeue_failed(self) -> list[Path]:
        """Send files that failed for want of the store or the database back in, if both answer now."""
        waiting: list[tuple[Path, Path, str, int]] = []  # scan, reason file, sha256, attempts so far
        for reason_file in sorted(self.failed.glob("*" + REASON_SUFFIX)):
            scan = reason_file.with_name(reason_file.name[: -len(REASON_SUFFIX)])
            try:
                info = read_reason(reason_file)
            except OSError:
                continue
            if not scan.is_file():
                continue  # a killed run's reason file: finish() overwrites it when its scan fails
            attempts = _int(info.get("attempts"))
            if info.get("reason") in self.retryable and attempts < self.max_attempts:
                waiting.append((scan, reason_file, info.get("sha256", ""), attempts))
        if not waiting or not self.ready():
            return []
        back = []
        for scan, reason_file, sha256, attempts in waiting:
            target = _free_name(self.root / scan.name)
            os.rename(scan, target)  # the scan first: a crash here leaves a reason file alone
            _fsync_dir(self.root)
            reason_file.unlink(missing_ok=True)
            for suffix in SIDECAR_SUFFIXES:  # a remote watcher's old job: the retry gets a new one
                scan.with_name(scan.name + suffix).unlink(missing_ok=True)
            _fsync_dir(self.failed)
            self._attempts[sha256] = attempts
            log.info("%s goes back in after an outage (attempt %d)", target.name, attempts + 1)
            back.append(target)
        return back

    # -- loops ----------------------------------------------------------------------------------

    def resume(self, stats: WatchStats, on_file: Callable[[FileOutcome], None] | None) -> None:
        """Files a previous run claimed but did not finish."""
        for claimed in sorted(
            p for p in self.processing.iterdir() if p.is_file() and not p.name.endswith(SIDECAR_SUFFIXES)
        ):
            _add(stats, self.process_claimed(claimed, on_file))

    def _lock_desks(self, stack: ExitStack, locked: set[str], stats: WatchStats,
                    on_file: Callable[[FileOutcome], None] | None) -> list[HotFolder]:
        """Every desk, each locked once; a desk seen for the first time resumes its leftovers."""
        folders = self.desks()
        for folder in folders:
            key = str(folder.root)
            if key not in locked:
                stack.enter_context(folder.locked())
                locked.add(key)
                folder.resume(stats, on_file)
                folder.requeue_failed()
        return folders

    def run_once(self, on_file: Callable[[FileOutcome], None] | None = None) -> WatchStats:
        """Process what is there (waiting for each file to settle) and return."""
        stats = WatchStats()
        self.prepare()
        with ExitStack() as stack:
            stack.enter_context(self.locked())
            locked = {str(self.root)}
            self._recover()
            self.resume(stats, on_file)
            self.requeue_failed()
            folders = self._lock_desks(stack, locked, stats, on_file)
            for folder in folders:
                folder.stable_files()  # first sighting of everything
            # Files that never settle (a stuck scanner) are left for the next run.
            idle_limit = max(10 * self.settle, 5.0)
            last_progress = time.monotonic()
            while any(f._candidates() for f in folders) and time.monotonic() - last_progress < idle_limit:
                progressed = False
                for folder in folders:
                    for path in folder.stable_files():
                        claimed = folder.claim(path)
                        if claimed is not None:
                            _add(stats, folder.process_claimed(claimed, on_file))
                        folder._seen.pop(path.name, None)
                        last_progress = time.monotonic()
                        progressed = True
                if not progressed:
                    time.sleep(min(0.25, max(self.settle / 4, 0.02)))
        return stats

    def run_forever(
        self,
        on_file: Callable[[FileOutcome], None] | None = None,
        poll_seconds: float = 1.0,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> WatchStats:
        stats = WatchStats()
        self.prepare()
        with ExitStack() as stack:
            stack.enter_context(self.locked())
            locked = {str(self.root)}
            self._recover()
            self.resume(stats, on_file)
            next_requeue = 0.0
            while not should_stop():
                folders = self._lock_desks(stack, locked, stats, on_file)
                if time.monotonic() >= next_requeue:
                    for folder in folders:
                        folder.requeue_failed()
                    next_requeue = time.monotonic() + self.requeue_seconds
                for folder in folders:
                    for path in folder.stable_files():
                        claimed = folder.claim(path)
                        if claimed is not None:
                            _add(stats, folder.process_claimed(claimed, on_file))
                            folder._seen.pop(path.name, None)
                time.sleep(poll_seconds)
        return stats


def _add(stats: WatchStats, outcome: FileOutcome | None) -> None:
    if outcome is not None:  # None: postponed, the file waits in processing/ for the next try
        stats.add(outcome)


def _int(value: str | None) -> int:
    try:
        return int(value or 1)
    except ValueError:
        return 1


def _free_name(target: Path, *, check_reason: bool = True) -> Path:
    candidate, n = target, 1
    while candidate.exists() or (check_reason and reason_path(candidate).exists()):
        candidate = target.with_name(f"{target.stem}.{n}{target.suffix}")
        n += 1
    return candidate


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
