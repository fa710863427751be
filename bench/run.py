"""Benchmarks of riskengine, run by hand (never by the test suite)::

    python3 -m uv run python bench/run.py            # everything (several minutes: 100,000-case batch)
    python3 -m uv run python bench/run.py --quick    # smaller sizes, about a minute

Reports, on the shipped ruleset and generated cases (riskengine.testing.generate): engine load time,
single-case latency p50/p99 per engine, cases/s per core per engine and their ratio, where the time
of one compiled assessment goes, batch throughput with 1, 2 and N workers, peak memory, CLI cold
start, and RSS at the start, middle and end of a long batch. Numbers go to stdout and, with --json,
to a file; bench/README.md records a run.
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def timed(fn, repeat: int = 3) -> float:
    best = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best.append(time.perf_counter() - t)
    return statistics.median(best)


def latency(engine, cases: list[dict], name: str) -> dict:
    for c in cases[:20]:
        engine.assess(c, engine=name, missing_facts=False)
    samples = []
    for c in cases:
        t = time.perf_counter()
        engine.assess(c, engine=name, missing_facts=False)
        samples.append(time.perf_counter() - t)
    total = sum(samples)
    return {"cases": len(cases), "p50_ms": pct(samples, 50) * 1e3, "p99_ms": pct(samples, 99) * 1e3,
            "mean_ms": total / len(cases) * 1e3, "cases_per_s": len(cases) / total}


def rules_only(engine, states: list, experta_states: list, rounds: int = 3) -> dict:
    """Rule evaluation alone (``evaluate(state)``, matched facts included) on each engine, alternating
    in rounds so that both see the same minutes of a machine whose speed drifts; the ratio is the
    median of the rounds' ratios."""
    experta = engine.evaluator("experta")
    for s in experta_states[:20]:
        experta.evaluate(s)
    fast, slow = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        for s in states:
            engine.fast.evaluate(s)
        fast.append(len(states) / (time.perf_counter() - t))
        t = time.perf_counter()
        for s in experta_states:
            experta.evaluate(s)
        slow.append(len(experta_states) / (time.perf_counter() - t))
    return {"rules_only_compiled_per_s": round(statistics.median(fast)),
            "rules_only_experta_per_s": round(statistics.median(slow), 1),
            "rules_only_ratio": round(statistics.median(f / e for f, e in zip(fast, slow)), 1),
            "rules_only_rounds": rounds}


def breakdown(engine, cases: list[dict]) -> dict:
    """Mean microseconds per case in each stage of Engine.assess(engine="compiled") (+ JSON output)."""
    from riskengine.decide.policy import decide
    stages = {"parse_case": 0.0, "narrative+facts": 0.0, "rules (fast path)": 0.0, "policy.decide": 0.0,
              "model_dump_json": 0.0}
    for c in cases:
        t0 = time.perf_counter()
        case = engine.parse_case(c)
        t1 = time.perf_counter()
        state, hits = engine.state(case)
        t2 = time.perf_counter()
        ev = engine.fast.evaluate(state)
        t3 = time.perf_counter()
        a = decide(engine.ruleset, state, ev, list(case.signals), hits, "compiled")
        t4 = time.perf_counter()
        a.model_dump_json()
        t5 = time.perf_counter()
        for key, dt in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            stages[key] += dt
    out = {k: v / len(cases) * 1e6 for k, v in stages.items()}
    out["firings_per_case"] = sum(len(engine.fast.evaluate(engine.state(engine.parse_case(c))[0]).firings)
                                  for c in cases[:200]) / min(len(cases), 200)
    return out


def write_jsonl(path: Path, cases: list[dict], total: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(total):
            case = dict(cases[i % len(cases)])
            case["id"] = f"B-{i:07d}"
            fh.write(json.dumps(case, ensure_ascii=False) + "\n")


def batch_speedup(path: Path, workers_list: list[int], fmt: str = "jsonl") -> dict:
    from riskengine.run.batch import run_batch
    out = {}
    for w in workers_list:
        target = OUT / f"speedup_{w}.{fmt}"
        t = time.perf_counter()
        report = run_batch(path, target, workers=w, progress=False)
        wall = time.perf_counter() - t
        out[w] = {"records": report.records, "seconds": round(wall, 2), "records_per_s": round(report.records / wall)}
    base = out[workers_list[0]]["records_per_s"]
    for w in workers_list:
        out[w]["speedup"] = round(out[w]["records_per_s"] / base, 2)
    return out


def cli_cold_start(example: Path, runs: int = 9) -> dict:
    """Whole `riskengine assess` processes: the default (experta) and --engine compiled, each with the
    ruleset cache warm (the usual case after the first run) and disabled (RISKENGINE_NO_CACHE=1)."""
    # The package is installed editable, so `uv sync --compile-bytecode` does not compile it; where
    # PYTHONDONTWRITEBYTECODE is set (as on the bench machine) every process would compile it again.
    # Other machines write the bytecode on the first run: compile it once so both measure the same.
    compileall.compile_dir(str(ROOT / "riskengine"), quiet=1)
    exe = Path(sys.executable).with_name("riskengine")
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "riskengine.cli.group"]
    variants = {"experta": ([], False), "compiled": (["--engine", "compiled"], False),
                "experta, no cache": ([], True), "compiled, no cache": (["--engine", "compiled"], True)}
    times: dict[str, list[float]] = {label: [] for label in variants}
    with tempfile.TemporaryDirectory() as cache:
        def run(label: str) -> float:
            extra, no_cache = variants[label]
            env = dict(os.environ, RISKENGINE_CACHE_DIR=cache, RISKENGINE_NO_CACHE="1" if no_cache else "0")
            t = time.perf_counter()
            subprocess.run([*base, "assess", str(example), "--format", "json", *extra], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return time.perf_counter() - t
        run("experta")   # fills the ruleset cache
        # Interleaved rounds, so a slow minute of the machine weighs on every variant alike.
        for _ in range(runs):
            for label in variants:
                times[label].append(run(label))
    out = {label: {"median_s": round(statistics.median(t), 3), "min_s": round(min(t), 3)}
           for label, t in times.items()}
    imports = subprocess.run([sys.executable, "-X", "importtime", "-c", "import riskengine.cli.group, riskengine.engine"],
                             cwd=ROOT, capture_output=True, text=True)
    total_import = 0.0
    for line in imports.stderr.splitlines():
        if line.rstrip().endswith("| riskengine.engine") or line.rstrip().endswith("| riskengine.cli.group"):
            total_import += int(line.split("|")[1]) / 1e6
    return {"command": f"riskengine assess {example.name} --format json", "runs": runs, **out,
            "import_s": round(total_import, 3)}


def cold_start_against(revs: list[str], example: str = "examples/arbitration.yaml", rounds: int = 9,
                       ruleset_of: str | None = None) -> dict:
    """`riskengine assess EXAMPLE --format json` as whole processes, this checkout against earlier commits
    (each exported with `git archive` and run with this environment on PYTHONPATH), warm ruleset caches,
    in interleaved rounds (the order reversed every other round). Reports the median and minimum of wall
    and CPU seconds and, where valgrind is installed, the instructions of one run of each (callgrind):
    on a shared machine the instruction count is the figure that does not drift. ``ruleset_of``: one of
    ``revs`` whose rules/ and knowledge/ every tree assesses with (``--rules``/``--knowledge``), so the
    code is compared on the same ruleset and what the knowledge grew by is left out."""
    import shutil
    trees = {"this checkout": ROOT}
    with tempfile.TemporaryDirectory() as tmp:
        for rev in revs:
            tree = Path(tmp) / rev
            tree.mkdir()
            archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
            trees[rev] = tree
        for tree in trees.values():
            compileall.compile_dir(str(tree / "riskengine"), quiet=1)

        def command(label: str) -> tuple[list[str], dict]:
            tree = trees[label]
            # riskengine.cli:run is the console entry point of every layout since the first
            cmd = [sys.executable, "-c", "from riskengine.cli import run; run()", "assess", example, "--format", "json"]
            if ruleset_of:
                cmd += ["--rules", str(trees[ruleset_of] / "rules"), "--knowledge", str(trees[ruleset_of] / "knowledge")]
            return cmd, dict(os.environ, PYTHONPATH=str(tree), RISKENGINE_CACHE_DIR=str(Path(tmp) / f"cache-{label}"),
                             RISKENGINE_NO_CACHE="0")

        def run(label: str) -> tuple[float, float]:
            cmd, env = command(label)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run(cmd, cwd=trees[label], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=True)
            wall = time.perf_counter() - t
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

        labels = list(trees)
        for label in labels:
            run(label)          # fills its ruleset cache
        wall: dict[str, list[float]] = {label: [] for label in labels}
        cpu: dict[str, list[float]] = {label: [] for label in labels}
        for i in range(rounds):
            for label in labels if i % 2 == 0 else labels[::-1]:
                w, c = run(label)
                wall[label].append(w)
                cpu[label].append(c)
        out: dict = {label: {"wall_median_s": round(statistics.median(wall[label]), 3),
                             "wall_min_s": round(min(wall[label]), 3),
                             "cpu_median_s": round(statistics.median(cpu[label]), 3),
                             "cpu_min_s": round(min(cpu[label]), 3)} for label in labels}
        if shutil.which("valgrind"):
            for label in labels:
                cmd, env = command(label)
                log = Path(tmp) / f"callgrind-{label}.txt"
                subprocess.run(["valgrind", "--tool=callgrind", f"--log-file={log}",
                                f"--callgrind-out-file={Path(tmp) / 'callgrind.out'}", *cmd], cwd=trees[label],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                refs = [line for line in log.read_text().splitlines() if "refs:" in line]
                if refs:
                    out[label]["instructions"] = int(refs[-1].split()[-1].replace(",", ""))
        out["load"] = os.getloadavg()
        return out


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_flatness(path: Path, total: int) -> dict:
    """Run a long batch in a child process (compiled engine, 1 worker, CSV output) and sample its RSS."""
    target = OUT / "flat.csv"
    code = ("import sys; from riskengine.run.batch import run_batch; "
            "r = run_batch(sys.argv[1], sys.argv[2], workers=1, progress=False); "
            "print(r.records, r.seconds)")
    errors = Path(str(target) + ".errors.jsonl")
    proc = subprocess.Popen([sys.executable, "-c", code, str(path), str(target)], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True)
    samples: list[tuple[float, int, int]] = []
    start = time.perf_counter()
    while proc.poll() is None:
        lines = 0
        try:
            with open(target, "rb") as fh:
                lines = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
        except OSError:
            pass
        samples.append((time.perf_counter() - start, max(lines - 1, 0), rss_kib(proc.pid)))
        time.sleep(1.0)
    out, _ = proc.communicate()
    errors.unlink(missing_ok=True)
    done = [s for s in samples if s[1] > 0]

    def at(fraction: float):
        want = fraction * total
        best = min(done, key=lambda s: abs(s[1] - want)) if done else (0, 0, 0)
        return {"records": best[1], "rss_mib": round(best[2] / 1024, 1)}
    # Not at 100 %: the last sample may be taken while the finished process is already letting go.
    return {"records": total, "start": at(0.02), "middle": at(0.5), "late": at(0.95),
            "max_rss_mib": round(max((s[2] for s in samples), default=0) / 1024, 1), "child": out.strip()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes (about a minute)")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    parser.add_argument("--cold-start-against", nargs="+", metavar="REV", default=None,
                        help="only compare the CLI cold start of this checkout with these commits, and stop")
    parser.add_argument("--ruleset-of", metavar="REV", default=None,
                        help="with --cold-start-against: every tree assesses with this commit's rules and knowledge")
    args = parser.parse_args()
    if args.ruleset_of and args.ruleset_of not in (args.cold_start_against or ()):
        parser.error("--ruleset-of REV needs REV among the --cold-start-against commits")
    if args.cold_start_against:
        print(json.dumps(cold_start_against(args.cold_start_against, ruleset_of=args.ruleset_of), indent=2))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    n_fast, n_slow = (1000, 100) if args.quick else (4000, 400)
    n_batch = 2000 if args.quick else 8000
    n_flat = 20_000 if args.quick else 100_000

    results: dict = {"machine": {"nproc": os.cpu_count(), "cpu": cpu_model(), "python": platform.python_version(),
                                 "date": time.strftime("%Y-%m-%d")}}
    from riskengine.engine import load_engine
    from riskengine.testing.generate import generate_cases

    load_s = timed(lambda: load_engine(engine="compiled"), repeat=3)
    engine = load_engine(engine="compiled")
    t = time.perf_counter()
    engine.evaluator("experta")
    experta_build = time.perf_counter() - t
    results["engine_load_s"] = round(load_s, 3)
    results["experta_class_build_s"] = round(experta_build, 3)
    results["ruleset"] = {"version": engine.version, "rules": len(engine.ruleset.rules),
                          "plan_rules_with_signal_rules": len(engine.plan.rules)}
    cases = generate_cases(max(n_fast, n_batch), seed=7, knowledge=engine)
    print(f"machine: {results['machine']}", flush=True)
    print(f"engine load {load_s:.3f} s; experta class build {experta_build:.3f} s", flush=True)

    compiled = latency(engine, cases[:n_fast], "compiled")
    tracemalloc.start()
    for c in cases[:200]:
        engine.assess(c, engine="compiled", missing_facts=False)
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    experta = latency(engine, cases[:n_slow], "experta")
    results["compiled"] = compiled
    results["experta"] = experta
    results["compiled_to_experta"] = round(compiled["cases_per_s"] / experta["cases_per_s"], 1)
    states = [engine.state(engine.parse_case(c))[0] for c in cases[:n_fast]]
    results.update(rules_only(engine, states, states[:n_slow]))
    t = time.perf_counter()
    for c in cases[:n_fast]:
        engine.summarise(c, engine="compiled")
    results["summarise_compiled_per_s"] = round(n_fast / (time.perf_counter() - t))
    results["breakdown_us_per_case"] = {k: round(v, 1) for k, v in breakdown(engine, cases[:n_fast]).items()}
    results["tracemalloc_peak_mib_200_compiled_assessments"] = round(peak / 2**20, 1)
    print(json.dumps({k: results[k] for k in ("compiled", "experta", "compiled_to_experta",
                                               "rules_only_compiled_per_s", "rules_only_experta_per_s",
                                               "rules_only_ratio", "summarise_compiled_per_s",
                                               "breakdown_us_per_case")}, indent=1), flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        batch_in = Path(tmp) / "cases.jsonl"
        write_jsonl(batch_in, cases, n_batch)
        workers = sorted({1, 2, os.cpu_count() or 1})
        results["batch"] = batch_speedup(batch_in, workers)
        results["batch_csv"] = batch_speedup(batch_in, workers, fmt="csv")
        print("batch", json.dumps(results["batch"]), json.dumps(results["batch_csv"]), flush=True)
        results["peak_rss_mib_this_process"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        results["peak_rss_mib_children"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
        examples = sorted((ROOT / "examples").glob("*.yaml"))
        if examples:
            results["cli_cold_start"] = cli_cold_start(examples[0])
            print("cli", json.dumps(results["cli_cold_start"]), flush=True)
        flat_in = Path(tmp) / "flat.jsonl"
        write_jsonl(flat_in, cases, n_flat)
        results["memory_flatness"] = memory_flatness(flat_in, n_flat)
        print("memory", json.dumps(results["memory_flatness"]), flush=True)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
