"""CPU seconds per process during a benchmark run, read from ``/proc/<pid>/stat``.

CPU time (not wall time) is what a process takes from the others on a shared machine, and it
barely depends on what else runs, so it can be measured under load. A sampler thread reads
every process every ``interval`` seconds between ``start`` and ``stop``; each process counts:

- its own user+system time over the window (from zero for a process born inside it);
- the time of its children it reaped over the window (``cutime``/``cstime``): Tesseract and
  poppler run for about a second each and are waited for by the worker, so their exact CPU is
  in the worker's counters; a reaped child seen by a sample is therefore not counted again,
  unless it belongs to another group than its parent (a PostgreSQL backend of this run under
  the shared postmaster): it then takes its last sampled time from the parent's.

``classify`` names the group of a process, or None when it has no opinion: the process then
inherits its parent's group (a worker's pool processes and their Tesseract runs follow it).
``other`` is what the rest of the machine used (``/proc/stat`` busy time minus the groups').
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CLK = os.sysconf("SC_CLK_TCK")
OTHER = "other"  # processes not of the measured run (the machine's other load)


@dataclass(frozen=True)
class Stat:
    pid: int
    comm: str
    ppid: int
    own: float  # utime + stime, seconds
    children: float  # cutime + cstime: reaped children
    start: int  # starttime in ticks: (pid, start) names a process even when pids are reused


def read_stat(pid: int) -> Stat | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone
        return None
    head, _, tail = raw.rpartition(")")
    comm = head.partition("(")[2]
    f = tail.split()  # f[0] is field 3 (state)
    return Stat(
        pid=pid,
        comm=comm,
        ppid=int(f[1]),
        own=(int(f[11]) + int(f[12])) / CLK,
        children=(int(f[13]) + int(f[14])) / CLK,
        start=int(f[19]),
    )


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from ``/proc/stat``."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])  # guest time is already inside user
    return (total - idle) / CLK, total / CLK


Classify = Callable[[Stat, str], str | None]


@dataclass
class _Proc:
    first: Stat | None  # None: born inside the window
    last: Stat
    group: str | None
    gone: bool = False


@dataclass
class Usage:
    """CPU seconds per group over one window, and the machine's busy share in it."""

    groups: dict[str, float]
    spawned: dict[str, float]  # of each group's seconds, those of reaped children (tesseract, poppler)
    seconds: float  # wall
    machine_busy: float  # CPU seconds of every process on the machine
    machine_total: float

    def total(self, prefix: str = "") -> float:
        return sum(v for k, v in self.groups.items() if k.startswith(prefix))


@dataclass
class CpuMeter:
    """Samples the run's processes; ``other`` is the machine's busy time minus theirs.

    Only processes of the run are read at each sample (a new pid is read once, to classify it),
    so the meter costs little of the CPU it measures. Groups in ``unreaped`` do not count their
    reaped children: PostgreSQL's postmaster reaps every helper's backends, and this run's
    backends are counted one by one instead.
    """

    classify: Classify
    interval: float = 0.5
    reclassify: frozenset[str] = frozenset({"postgres"})  # processes that rename themselves after fork
    unreaped: frozenset[str] = frozenset()
    _procs: dict[tuple[int, int], _Proc] = field(default_factory=dict)
    _ignored: set[int] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _t0: float = 0.0
    _m0: tuple[float, float] = (0.0, 0.0)

    def start(self) -> None:
        import time

        self._procs.clear()
        self._ignored.clear()
        self._sample(initial=True)
        self._t0 = time.monotonic()
        self._m0 = machine_busy()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="cpu-meter", daemon=True)
        self._thread.start()

    def stop(self) -> Usage:
        import time

        self._stop.set()
        assert self._thread is not None
        self._thread.join()
        self._sample()
        seconds = time.monotonic() - self._t0
        m1 = machine_busy()
        groups: dict[str, float] = {}
        spawned: dict[str, float] = {}
        ours = {k: p for k, p in self._procs.items() if p.group and p.group != OTHER}
        alive = {p.last.pid: p.group for p in ours.values() if not p.gone}

        def add(group: str, seconds: float, reaped: float = 0.0) -> None:
            groups[group] = groups.get(group, 0.0) + seconds
            spawned[group] = spawned.get(group, 0.0) + reaped

        for proc in ours.values():
            group = str(proc.group)
            last = proc.last
            base = proc.first or Stat(last.pid, last.comm, last.ppid, 0.0, 0.0, last.start)
            reaped = proc.last.children - base.children if group not in self.unreaped else 0.0
            own = proc.last.own - base.own
            add(group, reaped, reaped)
            parent = alive.get(proc.last.ppid)
            if proc.gone and parent is not None and parent not in self.unreaped:
                # reaped by its parent, so already in the parent's children time (exactly)
                if parent != group:
                    add(group, own)
                    add(parent, -own, -own)
                continue
            add(group, own)
        busy = m1[0] - self._m0[0]
        groups[OTHER] = max(0.0, busy - sum(groups.values()))
        return Usage(groups, spawned, seconds, busy, m1[1] - self._m0[1])

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self, initial: bool = False) -> None:
        pids = {int(e) for e in os.listdir("/proc") if e.isdigit()}
        self._ignored &= pids  # a pid that ended may come back as someone else
        current = {p.last.pid: key for key, p in self._procs.items() if not p.gone}
        seen: set[tuple[int, int]] = set()
        fresh: list[Stat] = []
        for pid in pids - self._ignored:
            stat = read_stat(pid)
            if stat is None:
                continue
            key = current.get(pid)
            proc = self._procs.get(key) if key else None
            if proc is None or proc.last.start != stat.start:
                fresh.append(stat)
                continue
            seen.add(key)  # type: ignore[arg-type]
            if stat.comm != proc.last.comm or stat.comm in self.reclassify:
                # an exec (python -> tesseract), or a server naming its process after the fork
                proc.group = self.classify(stat, cmdline(pid)) or proc.group
            proc.last = stat
        groups = {p.last.pid: p.group for p in self._procs.values() if p.group}
        for stat in sorted(fresh, key=lambda s: s.start):  # parents first: a child takes its group
            group = self.classify(stat, cmdline(stat.pid)) or groups.get(stat.ppid)
            if group is None or group == OTHER:
                self._ignored.add(stat.pid)
                continue
            key = (stat.pid, stat.start)
            seen.add(key)
            groups[stat.pid] = group
            self._procs[key] = _Proc(stat if initial else None, stat, group)
        for key, proc in self._procs.items():
            if key not in seen:
                proc.gone = True
