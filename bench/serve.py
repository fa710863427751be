"""Load test of ``riskengine serve`` on loopback, beside in-process ``Engine.assess`` on the same machine.
Run by hand, never by the test suite::

    python3 -m uv run python bench/serve.py                     # 20,000 requests, 32 concurrent, 1 worker
    python3 -m uv run python bench/serve.py --workers 2
    python3 -m uv run python bench/serve.py --rate 200          # paced: latency at a fixed request rate
    python3 -m uv run python bench/serve.py --requests 2000     # quick
    python3 -m uv run python bench/serve.py --root ../before    # serve another checkout (its .venv): before/after
    python3 -m uv run python bench/serve.py --callgrind 500     # instructions per request (valgrind), not time

It starts the server itself (127.0.0.1, a free port, the shipped ruleset), waits until /readyz, sends a
fixed number of ``POST /v1/assess`` requests (generated cases, seed 7, as bench/run.py) over keep-alive
connections from a small asyncio HTTP/1.1 client (light, so that the client takes little of the CPU the
server needs), stops the server and reports requests/s, p50/p95/p99/max latency and errors. Then it runs
the same cases in this process (``Engine.assess(engine="compiled", missing_facts=False)`` and the JSON
of the answer: the work of one request without HTTP) for the in-process rate per core.
Everything stops by itself; nothing but loopback is contacted.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cases(n: int) -> list[bytes]:
    from riskengine import load_engine
    from riskengine.testing.generate import generate_cases
    engine = load_engine(engine="compiled")
    out = []
    for case in generate_cases(n, seed=7, knowledge=engine):
        out.append(json.dumps(case, default=str, ensure_ascii=False).encode("utf-8"))
    return out


class Connection:
    """One keep-alive HTTP/1.1 connection: POST a JSON body, read status and body (Content-Length only)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = (f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode("ascii")
        self.writer.write(head + body)
        header = await self.reader.readuntil(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = 0
        close = False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        data = await self.reader.readexactly(length)
        if close:
            self.writer.close()
            self.writer = None
        return status, data


async def load(port: int, bodies: list[bytes], total: int, concurrency: int, rate: float | None,
               path: str) -> tuple[list[float], int, float, dict]:
    latencies: list[float] = []
    errors = 0
    statuses: dict[int, int] = {}
    counter = iter(range(total))
    started = time.perf_counter()

    async def worker() -> None:
        nonlocal errors
        conn = Connection("127.0.0.1", port)
        for i in counter:
            if rate:                               # paced: request i is due at i / rate seconds
                delay = started + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            t0 = time.perf_counter()
            try:
                status, data = await conn.post(path, bodies[i % len(bodies)])
            except (OSError, asyncio.IncompleteReadError, ValueError):
                errors += 1
                conn = Connection("127.0.0.1", port)
                continue
            latencies.append(time.perf_counter() - t0)
            statuses[status] = statuses.get(status, 0) + 1
            if status != 200:
                errors += 1
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - started, statuses


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children that are alive (Linux /proc; 0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    pids = [pid]
    try:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == pid:
                    pids.append(int(entry))
        total = 0.0
        for p in pids:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        return total
    except (OSError, IndexError, ValueError):
        return 0.0


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def in_process(bodies: list[bytes], seconds: float) -> float:
    from riskengine import load_engine
    engine = load_engine(engine="compiled")
    raws = [json.loads(b) for b in bodies]
    for raw in raws[:50]:
        engine.assess(raw, engine="compiled", missing_facts=False).model_dump_json()
    n, cpu0, t0 = 0, time.process_time(), time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for raw in raws[:200]:
            engine.assess(raw, engine="compiled", missing_facts=False).model_dump_json()
            n += 1
    return n / (time.process_time() - cpu0)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=20_000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--rate", type=float, default=None, help="requests/s to pace at (default: as fast as it goes)")
    ap.add_argument("--cases", type=int, default=1000, help="distinct generated cases sent in turn")
    ap.add_argument("--path", default="/v1/assess")
    ap.add_argument("--in-process-seconds", type=float, default=10.0)
    ap.add_argument("--no-access-log", action="store_true", help="start the server with --no-access-log")
    ap.add_argument("--root", type=Path, default=ROOT,
                    help="serve the checkout in this folder with its own .venv (e.g. a worktree of an older "
                         "commit, for before/after runs on the same machine); default: this checkout")
    ap.add_argument("--callgrind", type=int, default=0, metavar="N",
                    help="instead: count instructions per request with valgrind's callgrind (N requests to the "
                         "server under valgrind, then N cases in-process), instrumenting only those")
    args = ap.parse_args(argv)

    if args.callgrind:
        print(json.dumps(callgrind(args, cases(min(args.cases, args.callgrind))), indent=2))
        return
    bodies = cases(args.cases)
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    root = args.root.resolve()
    python = sys.executable if root == ROOT else str(root / ".venv" / "bin" / "python")
    env.pop("VIRTUAL_ENV", None)
    server = subprocess.Popen([python, "-m", "riskengine.cli", "serve", "--port", str(port), "--workers",
                               str(args.workers)] + (["--no-access-log"] if args.no_access_log else []),
                              cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, _ = asyncio.run(Connection("127.0.0.1", port).post("/readyz", b""))
            except OSError:
                status = 0
            if status == 405 or status == 200:
                break
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        asyncio.run(_get_ready(port, deadline))
        asyncio.run(load(port, bodies, min(500, args.requests), args.concurrency, None, args.path))   # warm-up
        cpu0, assess0 = cpu_seconds(server.pid), asyncio.run(assessment_cpu(port))
        latencies, errors, wall, statuses = asyncio.run(
            load(port, bodies, args.requests, args.concurrency, args.rate, args.path))
        server_cpu = cpu_seconds(server.pid) - cpu0
        assess_cpu = asyncio.run(assessment_cpu(port)) - assess0
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    rps = len(latencies) / wall
    report = {
        "served_from": str(root), "load_average": os.getloadavg(),
        "requests": args.requests, "concurrency": args.concurrency, "workers": args.workers, "rate": args.rate,
        "access_log": not args.no_access_log,
        "answered": len(latencies), "errors": errors, "statuses": statuses, "seconds": round(wall, 2),
        "requests_per_s": round(rps, 1),
        "p50_ms": round(pct(latencies, 50) * 1000, 2), "p95_ms": round(pct(latencies, 95) * 1000, 2),
        "p99_ms": round(pct(latencies, 99) * 1000, 2), "max_ms": round(max(latencies) * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2),
        "server_cpu_ms_per_request": round(server_cpu / max(1, len(latencies)) * 1000, 3),
        "assessment_cpu_ms_per_request": round(assess_cpu / max(1, len(latencies)) * 1000, 3),
    }
    if server_cpu > 0 and args.workers == 1:
        # Within the server, at the same moment: the share of its CPU that went into the assessments
        # themselves (the rest is HTTP, routing, the framework). Unlike a comparison with a separate
        # in-process run, this does not move with what else the machine is running.
        report["assessment_share_of_server_cpu"] = round(assess_cpu / server_cpu, 3)
    if args.in_process_seconds > 0:
        per_core = in_process(bodies, args.in_process_seconds)
        report["in_process_per_core_per_s"] = round(per_core, 1)
        report["in_process_cpu_ms_per_case"] = round(1000 / per_core, 3)
        report["served_per_worker_vs_in_process"] = round(rps / args.workers / per_core, 3)
        if server_cpu > 0:      # CPU per answer, in-process over served: the cost of HTTP, less sensitive to
            # what else the machine runs than requests/s
            report["cpu_efficiency_per_core"] = round(1000 / per_core / report["server_cpu_ms_per_request"], 3)
    report["cpus"] = os.cpu_count()
    print(json.dumps(report, indent=2))


async def assessment_cpu(port: int) -> float:
    """riskengine_assessment_cpu_seconds_total from /metrics (of the worker that answers)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = (await reader.read()).decode("utf-8", "replace")
    writer.close()
    for line in data.splitlines():
        if line.startswith("riskengine_assessment_cpu_seconds_total "):
            return float(line.split()[1])
    return 0.0


async def _get_ready(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = await reader.read()
        writer.close()
        if data.startswith(b"HTTP/1.1 200"):
            return
        await asyncio.sleep(0.2)
    raise SystemExit("the server did not become ready")


def callgrind(args, bodies: list[bytes]) -> dict:
    """Instructions per request, which do not move with the machine's load: the server (and then an
    in-process loop) runs under ``valgrind --tool=callgrind --instr-atstart=no``; instrumentation is
    switched on with ``callgrind_control -i on PID`` just before the measured requests and off after.
    The automatic garbage collector stays on (its passes are part of the cost) and PYTHONHASHSEED is
    fixed, so two runs of one build agree closely; 500 requests or more average the collector out."""
    import glob
    import tempfile
    out_dir = Path(tempfile.mkdtemp(prefix="riskengine-callgrind-"))
    root = args.root.resolve()
    python = sys.executable if root == ROOT else str(root / ".venv" / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["PYTHONHASHSEED"] = "0"
    n = args.callgrind

    def valgrind(name: str) -> list[str]:
        return ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                f"--callgrind-out-file={out_dir}/{name}.%p"]

    def toggle(pid: int, on: bool) -> None:
        subprocess.run(["callgrind_control", "-i", "on" if on else "off", str(pid)], check=True,
                       capture_output=True)

    def counted(name: str, pid: int) -> float:
        total = 0
        for f in glob.glob(f"{out_dir}/{name}.{pid}*"):
            for line in open(f, errors="replace"):
                if line.startswith(("summary:", "totals:")):
                    total = max(total, int(line.split()[1]))
        return total / n

    port = free_port()
    server = subprocess.Popen(valgrind("server") + [python, "-m", "riskengine.cli", "serve", "--port", str(port),
                                                     "--no-access-log"], cwd=root, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        asyncio.run(_wait_listening(port, server, time.monotonic() + 1800))
        asyncio.run(load(port, bodies, 50, 4, None, args.path))                           # warm
        toggle(server.pid, True)
        _, errors, _, _ = asyncio.run(load(port, bodies, n, 4, None, args.path))
        toggle(server.pid, False)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=600)
    served = counted("server", server.pid)

    child = subprocess.Popen(valgrind("inproc") + [python, str(Path(__file__).resolve()), "--_in-process-child",
                                                   str(out_dir / "go")], cwd=root, env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    child.stdin.write("\n".join(b.decode("utf-8") for b in bodies[:n]) + "\n")
    child.stdin.close()
    assert child.stdout.readline().strip() == "ready"
    toggle(child.pid, True)
    (out_dir / "go").touch()
    assert child.stdout.readline().strip() == "done"
    toggle(child.pid, False)
    (out_dir / "go").unlink()
    child.wait(timeout=600)
    in_proc = counted("inproc", child.pid) * n / max(1, min(n, len(bodies)))
    return {"served_from": str(root), "requests": n, "errors": errors,
            "served_instructions_per_request": round(served),
            "in_process_instructions_per_case": round(in_proc),
            "in_process_vs_served": round(in_proc / served, 3) if served else None,
            "callgrind_files": str(out_dir)}


async def _wait_listening(port: int, server, deadline: float) -> None:
    while True:
        try:
            await _get_ready(port, deadline)
            return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start under valgrind")
            await asyncio.sleep(1)


def _in_process_child(go: str) -> None:
    """Run under valgrind by --callgrind: cases from stdin, warmed, then assessed once ``go`` exists."""
    from riskengine import load_engine
    raws = [json.loads(line) for line in sys.stdin.read().splitlines() if line.strip()]
    engine = load_engine(engine="compiled")
    for raw in raws[:50]:
        engine.assess(raw, engine="compiled", missing_facts=False).model_dump_json()
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.1)
    for raw in raws:
        engine.assess(raw, engine="compiled", missing_facts=False).model_dump_json()
    print("done", flush=True)
    while os.path.exists(go):
        time.sleep(0.1)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--_in-process-child"]:
        _in_process_child(sys.argv[2])
    else:
        main()
