"""Object-store throughput: the MinIO backend against the bare ``minio`` SDK on the same server.

Uploads (``put_file`` vs ``fput_object``) and downloads (``get_file`` vs ``fget_object``) the same
sizes of fresh random files, alternating the clients object by object so none gets a warmer
server, and prints MB/s (median over rounds: the machine is shared, single rounds are noisy) and
the ratio backend/SDK (target ≥ 0.9). The backend does more per object than the bare SDK: it
names the object by its SHA-256 (one pass over the file), stores it only if the server does not
hold it yet (a create-only write, ``If-None-Match: *``, in the same request), and checks the
SHA-256 again on download. Two backend rows: given a bare path, the store hashes the file
itself; given the ``HashedFile`` that intake's duplicate check already made (as intake does),
it does not hash again, and that hash is not timed here because intake computes it before OCR
whether or not the file is stored. The directory store's figures are printed for reference.

The server is moto's S3 server in a separate process on loopback (no MinIO here), or a real
MinIO with ``--endpoint``. moto keeps objects in memory, so its throughput is moto's, not MinIO's:
the ratio is what matters.

    .venv/bin/python benchmarks/bench_storage.py --quick       # 10 × 2 MB, 1 × 64 MB
    .venv/bin/python benchmarks/bench_storage.py               # 50 × 2 MB, 2 × 64 MB, 5 rounds
    .venv/bin/python benchmarks/bench_storage.py --link 1gbit  # server behind a 1 Gbit/s link (root)

On loopback the server shares this machine's two cores with the client, so every byte the backend
hashes is CPU taken from the transfer; behind a shaped link, as with a MinIO on another host, the
client waits on the wire instead.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minio import Minio

from config.settings import load_settings
from storage.objects.base import Bucket
from storage.objects.directory_store import DirectoryStore
from storage.objects.keys import HashedFile, hash_file, sha256_file
from storage.objects.minio_store import MinioStore
from tests.live_server import free_port

MB = 1_000_000


@dataclass
class Workload:
    name: str
    count: int
    size: int


@dataclass
class Timing:
    upload: float = 0.0
    download: float = 0.0


def start_moto(host: str = "127.0.0.1", netns: str | None = None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    exe = Path(sys.executable).with_name("moto_server")
    prefix = ["ip", "netns", "exec", netns] if netns else []
    proc = subprocess.Popen(
        [*prefix, str(exe), "-H", host, "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return proc, f"{host}:{port}"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto_server did not start")


@contextlib.contextmanager
def shaped_link(rate: str) -> Iterator[tuple[str, str]]:
    """A network namespace behind a veth pair shaped to ``rate`` both ways (root, iproute2).

    Stands for a MinIO on another host: the client then waits on the wire, not on a CPU it
    shares with the server. Yields (namespace, server address).
    """
    tag = f"{os.getpid() % 100000}"
    ns, host_if, ns_if = f"sohoa-bench-{tag}", f"sbh{tag}", f"sbn{tag}"
    subnet = f"10.{77 + os.getpid() % 100}.0"

    def run(*cmd: str) -> None:
        subprocess.run(cmd, check=True, capture_output=True)

    try:
        run("ip", "netns", "add", ns)
        run("ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if)
        run("ip", "link", "set", ns_if, "netns", ns)
        run("ip", "addr", "add", f"{subnet}.1/24", "dev", host_if)
        run("ip", "link", "set", host_if, "up")
        run("ip", "netns", "exec", ns, "ip", "addr", "add", f"{subnet}.2/24", "dev", ns_if)
        run("ip", "netns", "exec", ns, "ip", "link", "set", ns_if, "up")
        run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
        shape = ["root", "tbf", "rate", rate, "burst", "256kb", "latency", "50ms"]
        run("tc", "qdisc", "add", "dev", host_if, *shape)
        run("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", ns_if, *shape)
    except (OSError, subprocess.CalledProcessError) as exc:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        detail = getattr(exc, "stderr", b"") or b""
        raise SystemExit(
            f"cannot build the shaped link (needs root and iproute2): {detail.decode().strip()}"
        ) from exc
    try:
        yield ns, f"{subnet}.2"
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)  # takes the veth pair along


def make_files(directory: Path, workload: Workload, tag: str) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(workload.count):
        path = directory / f"{workload.name}-{tag}-{i}.bin"
        with open(path, "wb") as f:
            left = workload.size
            while left:
                n = min(left, 8 * MB)
                f.write(os.urandom(n))
                left -= n
        files.append(path)
    return files


class Client:
    """One way of storing and fetching a file, timed object by object.

    ``prepare`` runs before the clock starts: what the caller has done anyway (intake's hash).
    """

    def __init__(
        self,
        upload: Callable[[object], str],
        download: Callable[[str, Path], object],
        prepare: Callable[[Path], object] = lambda path: path,
    ) -> None:
        self.upload = upload
        self.download = download
        self.prepare = prepare


def store_client(store: MinioStore | DirectoryStore, *, hashed: bool = False) -> Client:
    def upload(source: object) -> str:
        assert isinstance(source, Path | HashedFile)
        return store.put_file(Bucket.ORIGINALS, source).key

    return Client(
        upload,
        lambda key, dest: store.get_file(Bucket.ORIGINALS, key, dest),
        hash_file if hashed else (lambda path: path),
    )


def bare_client(client: Minio, bucket: str) -> Client:
    def upload(source: object) -> str:
        assert isinstance(source, Path)
        client.fput_object(bucket, f"bare/{source.name}", str(source))
        return f"bare/{source.name}"

    return Client(upload, lambda name, dest: client.fget_object(bucket, name, str(dest)))


def bare_checked_client(client: Minio, bucket: str) -> Client:
    """The bare SDK doing the backend's integrity work by hand: name by SHA-256, check on download.

    Against this, the ratio is what the backend's own code costs, apart from the hashing that
    content addressing needs whichever way it is written.
    """

    def upload(source: object) -> str:
        assert isinstance(source, Path)
        key, _ = sha256_file(source)
        client.fput_object(bucket, f"checked/{key}", str(source))
        return key

    def download(key: str, dest: Path) -> None:
        client.fget_object(bucket, f"checked/{key}", str(dest))
        if sha256_file(dest)[0] != key:
            raise SystemExit("downloaded bytes do not match their SHA-256")

    return Client(upload, download)


def run_interleaved(clients: dict[str, Client], files: dict[str, list[Path]], out: Path) -> dict[str, Timing]:
    """Alternate the clients object by object, so a burst of load elsewhere hits them alike."""
    timing = {who: Timing() for who in clients}
    names: dict[str, list[str]] = {who: [] for who in clients}
    count = len(next(iter(files.values())))
    for phase in ("upload", "download"):
        for i in range(count):
            order = list(clients) if i % 2 == 0 else list(reversed(clients))
            for who in order:
                source = clients[who].prepare(files[who][i]) if phase == "upload" else None
                start = time.perf_counter()
                if phase == "upload":
                    names[who].append(clients[who].upload(source))
                else:
                    clients[who].download(names[who][i], out / f"{who}-{i}")
                elapsed = time.perf_counter() - start
                if phase == "upload":
                    timing[who].upload += elapsed
                else:
                    timing[who].download += elapsed
                    (out / f"{who}-{i}").unlink()
    return timing


def print_overheads(
    store: MinioStore, bare: Minio, bucket: str, clients: dict[str, Client], work: Path
) -> None:
    """Where the backend's extra time goes, and how much memory one large transfer takes."""
    probe = make_files(work / "in", Workload("probe", 1, 2 * MB), "probe")[0]
    key = store.put_file(Bucket.ORIGINALS, probe).key
    heads = []
    for i in range(30):
        # fresh content means a HEAD for a key the server does not have
        absent = hashlib.sha256(f"absent {i} {uuid.uuid4()}".encode()).hexdigest()
        start = time.perf_counter()
        store.stat(Bucket.ORIGINALS, absent if i % 2 else key)
        heads.append(time.perf_counter() - start)
    hashing = []
    for _ in range(10):
        start = time.perf_counter()
        sha256_file(probe)
        hashing.append(time.perf_counter() - start)
    mode = "create-only write (If-None-Match)" if store.create_only_writes else "HEAD before each upload"
    print(
        f"duplicate check: {mode}; a HEAD would cost {statistics.median(heads) * 1000:.1f} ms; "
        f"SHA-256 of 2 MB {statistics.median(hashing) * 1000:.1f} ms (median)"
    )
    big = make_files(work / "in", Workload("mem", 1, 64 * MB), "mem")[0]
    out = work / "out" / "mem"
    for who in ("bare SDK", "backend"):
        big.write_bytes(os.urandom(64 * MB))  # fresh content, so the backend really uploads
        tracemalloc.start()
        name = clients[who].upload(clients[who].prepare(big))
        _, up_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        clients[who].download(name, out)
        _, down_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out.unlink()
        print(
            f"peak Python memory for one 64 MB object, {who:<9}: "
            f"upload {up_peak / MB:.1f} MB, download {down_peak / MB:.1f} MB"
        )


def rate(total_bytes: int, seconds: float) -> float:
    return total_bytes / MB / seconds if seconds > 0 else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=int, default=50, help="number of 2 MB objects")
    parser.add_argument("--large", type=int, default=2, help="number of 64 MB objects")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="10 × 2 MB, 1 × 64 MB, 3 rounds")
    parser.add_argument("--endpoint", help="a running S3 server (host:port) instead of moto")
    parser.add_argument(
        "--link",
        metavar="RATE",
        help="run moto behind a link shaped to RATE (e.g. 1gbit), as a server on another host would be",
    )
    parser.add_argument("--access-key", default="testing")
    parser.add_argument("--secret-key", default="testing")
    args = parser.parse_args()
    if args.quick:
        args.small, args.large, args.rounds = 10, 1, 3
    workloads = [
        w for w in (Workload("2MB", args.small, 2 * MB), Workload("64MB", args.large, 64 * MB)) if w.count
    ]

    with contextlib.ExitStack() as stack:
        proc = None
        endpoint = args.endpoint
        where = "on loopback, sharing this machine's CPUs"
        if endpoint is None:
            if args.link:
                netns, host = stack.enter_context(shaped_link(args.link))
                proc, endpoint = start_moto(host, netns)
                where = f"behind a {args.link} link (network namespace)"
            else:
                proc, endpoint = start_moto()
        run_benchmark(args, workloads, endpoint, proc, where)


def run_benchmark(
    args: argparse.Namespace,
    workloads: list[Workload],
    endpoint: str,
    proc: subprocess.Popen[bytes] | None,
    where: str,
) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-storage-"))
    try:
        settings = load_settings(
            data_dir=work / "data",
            storage={
                "backend": "minio",
                "endpoint": endpoint,
                "access_key": args.access_key,
                "secret_key": args.secret_key,
                "bucket_prefix": "bench" + uuid.uuid4().hex[:8],
            },
        )
        store = MinioStore.from_settings(settings)
        store.ensure_buckets()
        bare = Minio(
            endpoint, access_key=args.access_key, secret_key=args.secret_key, secure=False, region="us-east-1"
        )
        bucket = store.bucket_name(Bucket.ORIGINALS)
        directory = DirectoryStore(work / "dirstore")
        out = work / "out"
        out.mkdir()
        server = f"moto (separate process) {where}" if proc else endpoint
        print(f"server: {server}; rounds: {args.rounds}; backend part size {store.part_size // 2**20} MiB")
        print(f"{'workload':<12}{'client':<20}{'upload MB/s':>12}{'download MB/s':>15}")
        ratios: list[tuple[str, str, str, float, float]] = []
        clients = {
            "bare SDK": bare_client(bare, bucket),
            "bare SDK + SHA-256": bare_checked_client(bare, bucket),
            "backend": store_client(store),
            "backend, hashed": store_client(store, hashed=True),
            "directory": store_client(directory),
        }
        for w in workloads:
            volume = w.count * w.size
            runs: dict[str, list[Timing]] = {who: [] for who in clients}
            for r in range(args.rounds):
                # fresh bytes for every client and round: no content is ever already stored
                files = {who: make_files(work / "in", w, f"c{n}r{r}") for n, who in enumerate(clients)}
                for who, t in run_interleaved(clients, files, out).items():
                    runs[who].append(t)
                for paths in files.values():
                    for p in paths:
                        p.unlink()
            label = f"{w.count} × {w.name}"
            med = {
                who: Timing(
                    statistics.median(t.upload for t in ts), statistics.median(t.download for t in ts)
                )
                for who, ts in runs.items()
            }
            for who, t in med.items():
                print(f"{label:<12}{who:<20}{rate(volume, t.upload):>12.1f}{rate(volume, t.download):>15.1f}")
            for base in ("bare SDK", "bare SDK + SHA-256"):
                for who in ("backend", "backend, hashed"):
                    up = med[base].upload / med[who].upload
                    down = med[base].download / med[who].download
                    ratios.append((base, label, who, up, down))
        for base in ("bare SDK", "bare SDK + SHA-256"):
            print()
            print(f"ratio backend / {base}" + (" (target ≥ 0.9)" if base == "bare SDK" else ""))
            for b, name, who, up, down in ratios:
                if b == base:
                    verdict = "OK" if min(up, down) >= 0.9 else "BELOW 0.9"
                    print(f"  {name:<12} {who:<16} upload {up:.2f}  download {down:.2f}  {verdict}")
        print()
        print_overheads(store, bare, bucket, clients, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
