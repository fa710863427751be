"""Whole-history throughput: compact decision rows against full assessments, end to end (issue 19)::

    python3 -m uv run python bench/scale.py [--corpus ../shared/corpus] [--rounds 3] [--no-narrative]
    python3 -m uv run python bench/scale.py --base REV [--after REV] [--rounds 2] [--no-full]   # paired A/B

Builds one JSON Lines file of every record of ../shared/corpus (CFPB and 黑猫投诉, converted as in
bench/corpus.py; written to bench/out/, git-ignored, never committed) and measures:

1. **Stages**, in one process, mean CPU µs per record: parse (``json.loads`` + ``Engine.parse_case``),
   narrative (scan + facts: ``Engine.state``), rules (compiled fast path; the row path skips the
   matched facts, as ``batch`` does), decide (``policy.decision_figures`` for a row, ``policy.decide``
   for a full assessment), encode (``row_json`` / ``model_dump_json``). The two paths alternate per
   round, so a slow minute of a shared machine hits both.
2. **End to end**: the whole ``riskengine batch`` process (start-up, reading, workers, writing) on the
   file: rows (default) and ``--full``, 1 and 2 workers, interleaved in rounds; wall time and the CPU
   time of the process and its workers. records/s = records / wall seconds (median of the rounds);
   records per CPU second = records / CPU seconds of the whole process tree (start-up included): the
   per-core rate, which a loaded machine does not distort.
3. **Pool split**: the CPU cost per record of a 2-worker batch's parent and of its workers, and the
   speed-up over one worker those give on two free cores.

``--no-narrative`` also runs everything on the same records with their narratives removed, to show
what the rest of the path costs. The machine's load average is printed with the figures.

``--base REV`` measures two versions side by side: the code of git revision REV (``git archive`` of
riskengine/, rules/ and knowledge/ into a temporary folder, put first on PYTHONPATH) against this
checkout (or ``--after REV``). Every round runs each variant of each version in turn (end to end, then
the stages and the pool split in a child process per version), so a slow minute hits both.
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
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import DEFAULT_CORPUS, OUT, cfpb_cases, heimao_cases  # noqa: E402
from run import cpu_model  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def corpus_file(corpus: Path, narrative: bool = True) -> Path:
    cases = []
    for path in sorted(corpus.glob("cfpb_*.csv")):
        cases += cfpb_cases(path, "CFPB" if "sample" in path.name else "CFPBN")
    heimao = corpus / "heimao_tousu_50.jsonl"
    if heimao.exists():
        cases += heimao_cases(heimao)
    if not cases:
        sys.exit(f"no corpus files in {corpus}")
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / ("scale_corpus.jsonl" if narrative else "scale_corpus_no_narrative.jsonl")
    with open(target, "w", encoding="utf-8") as fh:
        for c in cases:
            if not narrative:
                c = {k: v for k, v in c.items() if k != "narrative"}
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    return target


def stages(engine, lines: list[str], rounds: int, paths: tuple[str, ...] = ("row", "full")) -> dict:
    from riskengine.contracts.decision_row import row_json
    from riskengine.decide.policy import decide, decision_figures
    names = ("parse", "narrative", "rules", "decide", "encode")
    totals = {path: dict.fromkeys(names, 0.0) for path in paths}
    rs = engine.ruleset
    clock = time.process_time   # CPU time: on a shared machine wall time counts other processes' turns
    for _ in range(rounds):
        for path in paths:
            acc = totals[path]
            for line in lines:
                t0 = clock()
                case = engine.parse_case(json.loads(line))
                t1 = clock()
                state, hits = engine.state(case)
                t2 = clock()
                if path == "row":
                    ev = engine.fast.evaluate(state, matched=False)
                    t3 = clock()
                    row = decision_figures(rs, state, ev, case.signals, [h.signal for h in hits])
                    t4 = clock()
                    row_json(row)
                else:
                    ev = engine.fast.evaluate(state)
                    t3 = clock()
                    a = decide(rs, state, ev, list(case.signals), hits, "compiled")
                    t4 = clock()
                    a.model_dump_json()
                t5 = clock()
                for key, d in zip(names, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
                    acc[key] += d
    n = len(lines) * rounds
    out = {}
    for path, acc in totals.items():
        per = {k: round(v / n * 1e6, 1) for k, v in acc.items()}
        per["total"] = round(sum(acc.values()) / n * 1e6, 1)
        per["records_per_s"] = round(1e6 / per["total"])
        out[path] = per
    return out


CLI = "import sys; from riskengine.cli.group import run; sys.argv[0] = 'riskengine'; run()"


def code_env(code: Path | None) -> dict:
    """The environment that runs the riskengine of ``code`` (None: this checkout's)."""
    env = {**os.environ}
    if code is not None:
        env["PYTHONPATH"] = str(code) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def export(rev: str, into: Path) -> Path:
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "riskengine", "rules", "knowledge"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def end_to_end(src: Path, rounds: int, codes: dict[str, Path | None] | None = None, full: bool = True) -> dict:
    codes = codes or {"": None}
    # Every version's own bytecode, as an installed package has it: this checkout is installed editable
    # (`uv sync --compile-bytecode` leaves it alone) and where PYTHONDONTWRITEBYTECODE is set, as on the
    # bench machine, each process would otherwise compile riskengine from source again (~0.2 s of CPU).
    for code in codes.values():
        compileall.compile_dir(str((code or ROOT) / "riskengine"), quiet=1)
    kinds = [("rows", "1", []), ("rows", "2", [])]
    if full:
        kinds += [("full", "1", ["--full"]), ("full", "2", ["--full"])]
    variants = [(label, code, *kind) for kind in kinds for label, code in codes.items()]
    records = sum(1 for _ in open(src, encoding="utf-8"))
    walls: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    sizes: dict[str, int] = {}
    for _ in range(rounds):
        for label, code, kind, workers, extra in variants:
            key = f"{label + ': ' if label else ''}{kind}, {workers} worker{'s' if workers != '1' else ''}"
            out = OUT / f"scale_{label}{kind}_{workers}.jsonl"
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", CLI, "batch", str(src), "--out", str(out), "--workers", workers,
                            *extra], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=code_env(code), cwd=OUT)   # not this checkout: `python -c` puts the cwd first on sys.path
            wall = time.perf_counter() - t
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            walls.setdefault(key, []).append(wall)
            cpus.setdefault(key, []).append(cpu)
            sizes[key] = out.stat().st_size
    result = {}
    for key, w in walls.items():
        result[key] = {"records": records, "wall_s": [round(x, 2) for x in w],
                       "records_per_s": round(records / statistics.median(w)),
                       "records_per_cpu_s": round(records / statistics.median(cpus[key])),
                       "bytes_per_record": round(sizes[key] / records)}
    for label in codes:
        pre = label + ": " if label else ""
        for kind in ("rows", "full") if full else ("rows",):
            one = result[f"{pre}{kind}, 1 worker"]["records_per_s"]
            result[f"{pre}{kind}: 2 workers / 1"] = round(result[f"{pre}{kind}, 2 workers"]["records_per_s"] / one, 2)
        if full:
            result[f"{pre}rows / full, 1 worker"] = round(result[f"{pre}rows, 1 worker"]["records_per_s"]
                                                          / result[f"{pre}full, 1 worker"]["records_per_s"], 2)
    return result


def pool_split(src: Path, one_worker: dict, workers: int = 2) -> dict:
    """``run_batch`` with a pool, in this process: CPU µs per record of the parent (reading, handing
    out, writing) and of the workers. With W workers and W free cores the wall rate is
    1 / max(parent, workers / W); against the CPU µs per record of the whole one-worker process
    (``one_worker``: kind -> µs) that is the speed-up an idle machine would show, whatever the load here."""
    from riskengine.run.batch import run_batch
    out = {}
    for kind, full in (("rows", False), ("full", True)):
        if kind not in one_worker or not isinstance(one_worker[kind], float):
            continue
        self0, kids0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        report = run_batch(src, OUT / f"scale_pool_{kind}.jsonl", workers=workers, progress=False, full=full)
        self1, kids1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        n = report.records
        parent = ((self1.ru_utime - self0.ru_utime) + (self1.ru_stime - self0.ru_stime)) / n * 1e6
        work = ((kids1.ru_utime - kids0.ru_utime) + (kids1.ru_stime - kids0.ru_stime)) / n * 1e6
        out[kind] = {"parent_cpu_us_per_record": round(parent, 1), "workers_cpu_us_per_record": round(work, 1),
                     f"expected_speed_up_{workers}_workers": round(min(workers, one_worker[kind] / max(parent, work / workers)), 2),
                     "wall_records_per_s_here": round(n / report.seconds)}
    return out


def child(src: Path, rounds: int, one_worker: dict) -> dict:
    """Stages and pool split in this process, for whichever riskengine is importable (see --base)."""
    from riskengine.engine import load_engine
    engine = load_engine(engine="compiled")
    lines = src.read_text(encoding="utf-8").splitlines()
    for line in lines[:200]:   # warm up: compile the patterns, build the validators
        engine.state(engine.parse_case(json.loads(line)))
    paths = ("row", "full") if "full" in one_worker else ("row",)
    out = {"stages_us_per_record": stages(engine, lines, rounds, paths)}
    if one_worker.get("pool"):
        out["pool_cpu_split"] = pool_split(src, one_worker)
    return out


def paired(args) -> None:
    import tempfile
    report = {"machine": f"{platform.node()}, {os.cpu_count()} CPUs, {cpu_model()}, Python {platform.python_version()}",
              "load_average_before": os.getloadavg(), "base": args.base, "after": args.after or "this checkout"}
    with tempfile.TemporaryDirectory() as tmp:
        codes = {"before": export(args.base, Path(tmp) / "before"),
                 "after": export(args.after, Path(tmp) / "after") if args.after else None}
        for narrative in (True, False) if args.no_narrative else (True,):
            label = "corpus" if narrative else "corpus without narratives"
            src = corpus_file(args.corpus, narrative)
            ends = end_to_end(src, args.rounds, codes, full=not args.no_full)
            print(label, json.dumps(ends, indent=1), flush=True)
            inner: dict[str, list] = {name: [] for name in codes}
            for round_ in range(0 if args.end_to_end_only else max(1, args.rounds - 1)):
                for name, code in codes.items():
                    one = {kind: 1e6 / ends[f"{name}: {kind}, 1 worker"]["records_per_cpu_s"]
                           for kind in (("rows", "full") if not args.no_full else ("rows",))}
                    one["pool"] = round_ == 0     # the pool split once per version
                    out = subprocess.run([sys.executable, __file__, "--child", str(src), "--one-worker", json.dumps(one)],
                                         check=True, capture_output=True, text=True, env=code_env(code), cwd=OUT)
                    inner[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
            report[label] = {"end_to_end": ends, "in_process": inner}
            print(label, json.dumps(inner, indent=1), flush=True)
    report["load_average_after"] = os.getloadavg()
    print("machine:", report["machine"], "load before/after:", report["load_average_before"],
          report["load_average_after"])
    (OUT / ("scale_paired_e2e.json" if args.end_to_end_only else "scale_paired.json")).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-narrative", action="store_true", help="also measure without narratives")
    parser.add_argument("--base", help="git revision to measure side by side with this checkout")
    parser.add_argument("--after", help="with --base: a git revision to measure instead of this checkout")
    parser.add_argument("--no-full", action="store_true", help="with --base: decision rows only, no --full runs")
    parser.add_argument("--end-to-end-only", action="store_true", help="with --base: no in-process stages")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--one-worker", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        one = json.loads(args.one_worker)
        print(json.dumps(child(args.child, max(1, args.rounds - 2), one)))
        return
    if args.base:
        paired(args)
        return
    from riskengine.engine import load_engine
    engine = load_engine(engine="compiled")
    report = {"machine": f"{platform.node()}, {os.cpu_count()} CPUs, {cpu_model()}, Python {platform.python_version()}",
              "load_average_before": os.getloadavg()}
    for narrative in (True, False) if args.no_narrative else (True,):
        label = "corpus" if narrative else "corpus without narratives"
        src = corpus_file(args.corpus, narrative)
        lines = src.read_text(encoding="utf-8").splitlines()
        for line in lines[:200]:   # warm up: compile the patterns, build the validators
            engine.parse_case(json.loads(line))
            engine.state(engine.parse_case(json.loads(line)))
        ends = end_to_end(src, args.rounds)
        one = {kind: 1e6 / ends[f"{kind}, 1 worker"]["records_per_cpu_s"] for kind in ("rows", "full")}
        report[label] = {"stages_us_per_record": stages(engine, lines, max(1, args.rounds - 1)),
                         "end_to_end": ends, "pool_cpu_split": pool_split(src, one)}
        print(label, json.dumps(report[label], indent=1), flush=True)
    report["load_average_after"] = os.getloadavg()
    print("machine:", report["machine"], "load before/after:", report["load_average_before"],
          report["load_average_after"])
    (OUT / "scale.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
