"""Narrative reading speed, before and after, in the same run: µs per 1,000 characters.

    python3 -m uv run python bench/narrative_speed.py [--base REV] [--after REV] [--rounds 5] [--all]

"before" is the scanner of git revision REV (default: the commit before concept reading, 1201e68),
extracted with `git archive` into a temporary folder and run in a subprocess with its own shipped
knowledge; "after" is this checkout. Both read the same texts: the CFPB narratives and 黑猫 posts of
../shared/corpus (never committed) and the annotated corpus tests/narratives when present. Rounds
alternate before/after; the median CPU time of each (``time.process_time`` in the child: a shared
machine's other processes do not count) is reported, with the wall clock, the machine's name and CPU
count and its load average. ``--all`` adds every narrative of the scale corpus (bench/scale.py).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
try:
    from riskengine.load.cached_loader import load_ruleset
except ImportError:                       # revisions before the regroup into packages
    from riskengine.load.loader import load_ruleset
from riskengine.engine import Engine
rs = load_ruleset(sys.argv[1] + "/rules", sys.argv[1] + "/knowledge")
scanner = Engine(rs, engine="compiled").scanner
texts = json.load(open(sys.argv[2], encoding="utf-8"))
for t in texts[:50]:
    scanner.scan(t)                       # compile what the texts need
t0, c0 = time.perf_counter(), time.process_time()
for t in texts:
    scanner.scan(t)
print(time.perf_counter() - t0, time.process_time() - c0)
if len(sys.argv) > 3:                     # --check: every hit of every text, to compare the two
    with open(sys.argv[3], "w", encoding="utf-8") as fh:
        json.dump([[[h.signal, h.start, h.end, h.pattern, h.sentence, list(h.concepts), h.actor, h.modality]
                    for h in scanner.scan(t)] for t in texts], fh)
"""


def texts() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    path = SHARED / "cfpb_complaints_sample_6623.csv"
    if path.exists():
        with open(path, encoding="utf-8", newline="") as fh:
            out["cfpb (en)"] = [r["Consumer complaint narrative"] for r in csv.DictReader(fh)
                                if r["Consumer complaint narrative"].strip()][:600]
    path = SHARED / "heimao_tousu_50.jsonl"
    if path.exists():
        out["heimao (zh)"] = [json.loads(line).get("content", "") for line in open(path, encoding="utf-8")] * 4
    corpus = ROOT / "tests" / "narratives"
    if corpus.is_dir():
        import yaml
        items = [it["text"] for p in sorted(corpus.glob("*.yaml")) for it in yaml.safe_load(p.read_text("utf-8"))["items"]]
        out["annotated (zh+en)"] = items
    if ALL:
        sys.path.insert(0, str(ROOT / "bench"))
        from corpus import cfpb_cases, heimao_cases
        cases = []
        for path in sorted(SHARED.glob("cfpb_*.csv")):
            cases += cfpb_cases(path, "X")
        if (SHARED / "heimao_tousu_50.jsonl").exists():
            cases += heimao_cases(SHARED / "heimao_tousu_50.jsonl")
        out["all corpus narratives"] = [c["narrative"] for c in cases if c.get("narrative")]
    return out


ALL = False


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="1201e68")
    ap.add_argument("--after", default=None, help="a git revision to measure instead of this checkout "
                    "(e.g. to time a speed-only change with the same knowledge on both sides)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--check", action="store_true", help="also compare every hit of before and after "
                    "(for a speed-only change: they must be identical)")
    ap.add_argument("--all", action="store_true", help="also every narrative of the scale corpus "
                    "(bench/scale.py: the CFPB and 黑猫 records as batch reads them)")
    args = ap.parse_args()
    global ALL
    ALL = args.all
    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / "before"
        before.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.base, "riskengine", "rules", "knowledge"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
        after = ROOT
        if args.after:
            after = Path(tmp) / "after"
            after.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.after, "riskengine", "rules", "knowledge"],
                                     check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(after)], input=archive, check=True)
        print(f"machine: {platform.node()} ({os.cpu_count()} CPUs, {platform.processor() or platform.machine()}), "
              f"load average {os.getloadavg()[0]:.1f}; python {platform.python_version()}")
        print("CPU time of the scans (process_time, median of the rounds; wall clock in brackets)")
        print(f"{'texts':22} {'n':>5} {'chars':>9} {'before µs/1k':>13} {'after µs/1k':>12} {'ratio':>6}   wall before / after")
        for name, batch in texts().items():
            data = Path(tmp) / "texts.json"
            data.write_text(json.dumps(batch), encoding="utf-8")
            chars = sum(len(t) for t in batch)
            runs: dict[str, list[float]] = {"before": [], "after": []}
            walls: dict[str, list[float]] = {"before": [], "after": []}
            for _ in range(args.rounds):
                for label, root in (("before", before), ("after", after)):
                    out = subprocess.run([sys.executable, "-c", CHILD, str(root), str(data)], check=True,
                                         capture_output=True, text=True, env={**os.environ, "RISKENGINE_NO_CACHE": "1"})
                    wall, cpu = map(float, out.stdout.strip().splitlines()[-1].split())
                    runs[label].append(cpu)
                    walls[label].append(wall)
            if args.check:
                dumps = {}
                for label, root in (("before", before), ("after", after)):
                    dump = Path(tmp) / f"{label}.json"
                    subprocess.run([sys.executable, "-c", CHILD, str(root), str(data), str(dump)], check=True,
                                   capture_output=True, text=True, env={**os.environ, "RISKENGINE_NO_CACHE": "1"})
                    dumps[label] = json.loads(dump.read_text(encoding="utf-8"))
                differ = [i for i, (x, y) in enumerate(zip(dumps["before"], dumps["after"])) if x != y]
                print(f"  {name}: {sum(map(len, dumps['after']))} hits; texts whose hits differ: {len(differ)}"
                      + (f" (first: {differ[:5]})" if differ else ""), flush=True)
            b, a = (statistics.median(runs[k]) / chars * 1e9 for k in ("before", "after"))
            wb, wa = (statistics.median(walls[k]) / chars * 1e9 for k in ("before", "after"))
            print(f"{name:22} {len(batch):5} {chars:9} {b:13.0f} {a:12.0f} {a / b:6.2f}   {wb:.0f} / {wa:.0f}", flush=True)
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
