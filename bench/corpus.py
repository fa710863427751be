"""Run riskengine batch on real complaint records (never copied into the repository)::

    python3 -m uv run python bench/corpus.py [--corpus ../shared/corpus] [--workers 2]

Converts the CFPB exports (English; jurisdiction US, industry banking, category from Product/Issue,
narrative from "Consumer complaint narrative") and the 黑猫投诉 records (Chinese; CN, e-commerce or
services, narrative from title + content, demand from 诉求, amount from 涉诉金额) into cases in
bench/out/corpus_cases.jsonl (git-ignored), runs the batch on them and reports throughput, errors,
the distribution of risk levels and the narrative signals found.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"

CFPB_CHANNELS = {"web": "online", "phone": "hotline", "referral": "regulator_referral", "postal mail": "letter",
                 "fax": "letter", "email": "email", "web referral": "regulator_referral"}
ECOMMERCE = ("拼多多", "京东", "淘宝", "天猫", "抖音", "快手", "唯品会", "苏宁", "小红书", "得物", "闲鱼")


def cfpb_category(product: str, issue: str) -> str:
    text = f"{product} {issue}".lower()
    if "debt collection" in text or "collect" in text:
        return "debt_collection"
    if any(w in text for w in ("fee", "interest", "charge")):
        return "fees_charges"
    if any(w in text for w in ("identity theft", "improper use", "privacy", "unauthorized")):
        return "privacy"
    if any(w in text for w in ("advertis", "marketing", "misleading", "deceptive", "sales")):
        return "misleading_sales"
    if any(w in text for w in ("incorrect information", "investigation", "managing", "closing", "opening",
                               "servicer", "lender", "struggling", "payment", "problem with", "dealing with")):
        return "service_process"
    return "other"


def cfpb_date(text: str, fallback: dt.date) -> str:
    for fmt in ("%Y/%m/%d", "%m/%d/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date().isoformat()
        except (ValueError, AttributeError):
            continue
    return fallback.isoformat()


def cfpb_cases(path: Path, prefix: str) -> list[dict]:
    cases = []
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            product = row.get("Product") or ""
            issue = row.get("Issue") or ""
            rid = row.get("Complaint ID") or row.get("") or str(i)
            case = {"id": f"{prefix}-{rid}", "received": cfpb_date(row.get("Date received", ""),
                                                                   dt.date(2016, 6, 1) + dt.timedelta(days=i % 700)),
                    "industry": "banking", "jurisdiction": "US",
                    "channel": CFPB_CHANNELS.get((row.get("Submitted via") or "").strip().lower(), "online"),
                    "category": cfpb_category(product, issue), "product": product[:500] or None,
                    "narrative": (row.get("Consumer complaint narrative") or "")[:100_000]}
            cases.append({k: v for k, v in case.items() if v not in (None, "")})
    return cases


def heimao_cases(path: Path) -> list[dict]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        company = r.get("company") or ""
        issue = r.get("issue") or ""
        text = f"{r.get('title') or ''}。{r.get('content') or ''}"
        if any(w in issue for w in ("发货", "物流", "快递", "未收到")):
            category = "delivery_delay"
        elif any(w in issue + text for w in ("质量", "假货", "破损", "过敏", "漏尿")):
            category = "product_quality"
        elif "退款" in issue:
            category = "surrender_refund"
        elif any(w in issue for w in ("客服", "态度")):
            category = "service_attitude"
        else:
            category = "other"
        appeal = r.get("appeal") or ""
        demand = ("compensation" if "赔" in appeal else "full_refund" if "退" in appeal else
                  "apology" if "道歉" in appeal else "other") if appeal else None
        amount = None
        m = re.search(r"\d+(\.\d+)?", str(r.get("cost") or ""))
        if m:
            amount = float(m.group(0))
        case = {"id": f"HM-{r['id']}-{len(cases)}", "received": (r.get("timestamp") or "2025-01-01")[:10],
                "industry": "ecommerce" if any(w in company + text for w in ECOMMERCE) else "services",
                "jurisdiction": "CN", "channel": "online", "category": category, "narrative": text,
                "product": "帮宝适" if "帮宝适" in text else None, "amount_in_dispute": amount}
        if demand:
            case["demand"] = {"type": demand, **({"amount": amount} if amount is not None else {})}
        cases.append({k: v for k, v in case.items() if v is not None})
    return cases


def single_core(engine, cases: list[dict], experta_sample: int = 500) -> dict:
    """One process, engine reused: stage costs and throughput on real records (fewer firings than
    generated cases, longer narratives)."""
    from run import breakdown, rules_only
    states = [engine.state(engine.parse_case(c))[0] for c in cases]
    # experta on an evenly spaced sample, so it sees the same mix of sources as the compiled engine.
    rules = rules_only(engine, states, states[::max(1, len(states) // experta_sample)])
    rates = {}
    for label, run in (("assess", lambda c: engine.assess(c, engine="compiled", missing_facts=False)),
                       ("assess+json", lambda c: engine.assess(c, engine="compiled", missing_facts=False).to_json()),
                       ("summarise", lambda c: engine.summarise(c, engine="compiled"))):
        t = time.perf_counter()
        for c in cases:
            run(c)
        rates[label + "_per_s"] = round(len(cases) / (time.perf_counter() - t))
    return {"cases": len(cases), **rules, **rates,
            "breakdown_us_per_case": {k: round(v, 1) for k, v in breakdown(engine, cases).items()}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    sources = []
    for path in sorted(args.corpus.glob("cfpb_*.csv")):
        sources.append((path.name, cfpb_cases(path, "CFPB" if "sample" in path.name else "CFPBN")))
    heimao = args.corpus / "heimao_tousu_50.jsonl"
    if heimao.exists():
        sources.append((heimao.name, heimao_cases(heimao)))
    if not sources:
        sys.exit(f"no corpus files in {args.corpus}")
    from riskengine.run.batch import run_batch
    from riskengine.engine import load_engine
    engine = load_engine(engine="compiled")
    summary = {}
    for name, cases in sources:
        src = OUT / f"corpus_{Path(name).stem}.jsonl"
        with open(src, "w", encoding="utf-8") as fh:
            for c in cases:
                fh.write(json.dumps(c, ensure_ascii=False) + "\n")
        target = OUT / f"corpus_{Path(name).stem}.out.jsonl"
        t = time.perf_counter()
        report = run_batch(src, target, workers=args.workers, engine_obj=engine, progress=False)
        wall = time.perf_counter() - t
        signals: Counter = Counter()
        with_narrative = with_hits = 0
        with open(target, encoding="utf-8") as fh:
            for line in fh:
                found = set(json.loads(line)["narrative_signals"])   # a decision row (docs/decision-row.md)
                signals.update(found)
                with_hits += bool(found)
        with_narrative = sum(1 for c in cases if c.get("narrative"))
        summary[name] = {"records": report.records, "errors": report.errors, "seconds": round(wall, 2),
                         "records_per_s": round(report.records / wall), "workers": args.workers,
                         "with_narrative": with_narrative, "with_narrative_signal": with_hits,
                         "risk_levels": dict(report.levels.most_common()),
                         "top_strategies": dict(report.strategies.most_common(5)),
                         "narrative_signals_top15": dict(signals.most_common(15))}
        print(name, json.dumps(summary[name], ensure_ascii=False), flush=True)
        err = Path(str(target) + ".errors.jsonl")
        if err.exists():
            print("  first errors:", err.read_text(encoding="utf-8").splitlines()[:3])
    every = [c for _name, cases in sources for c in cases]
    summary["single_core_all_records"] = single_core(engine, every)
    print("single core, all records:", json.dumps(summary["single_core_all_records"]), flush=True)
    (OUT / "corpus_summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
