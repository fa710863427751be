"""Weak-label report: the narrative reader against the CFPB Issue / Sub-issue labels.

    python3 -m uv run python bench/weak_labels.py [../shared/corpus/cfpb_complaints_sample_6623.csv] [--misses N]

Every row with a consumer narrative is read by the shipped engine (narrative only). A row is a
positive of a group when its Issue or Sub-issue is one of the group's labels (the mapping below, also
in docs/narrative.md); the reader predicts the group when it raises one of the group's signals.
The corpus is never committed; this script only reads it.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

# group -> (signals that predict it, Issue labels, Sub-issue labels)
GROUPS: dict[str, tuple[set[str], set[str], set[str]]] = {
    "fees": ({"fee_dispute"},
             {"Fees or interest", "Charged fees or interest you didn't expect", "Charged fees or interest I didn't expect",
              "Unexpected or other fees", "Excessive fees", "Overdraft, savings and protection"},
             {"Fee problem", "Overdrafts and overdraft fees", "Problem with fees", "Non-sufficient funds and associated fees",
              "Don't agree with the fees charged", "Problem with fees charged", "Fees charged for closing account",
              "Excess mileage, damage, or wear fees, or other problem after the lease is finished",
              "Charged too much interest", "Unexpected increase in interest rate", "Problem with the interest rate"}),
    "fraud_unauthorised": ({"unauthorized_transaction", "alleges_fraud", "data_leak"},
                           {"Fraud or scam", "Unauthorized transactions or other transaction problem",
                            "Identity theft / Fraud / Embezzlement"},
                           {"Debt was result of identity theft", "Debt resulted from identity theft",
                            "Card was charged for something you did not purchase with the card",
                            "Charged for a purchase or transfer you did not make with the card",
                            "Card opened as result of identity theft or fraud", "Account opened as a result of fraud",
                            "Fraudulent loan", "Privacy issues"}),
    # The same, with the credit-report sub-issues that mostly describe identity theft ("a loan I didn't
    # apply for"): reported beside the strict mapping, never instead of it.
    "fraud_incl_identity": ({"unauthorized_transaction", "alleges_fraud", "data_leak"},
                            {"Fraud or scam", "Unauthorized transactions or other transaction problem",
                             "Identity theft / Fraud / Embezzlement", "Problem with fraud alerts or security freezes"},
                            {"Debt was result of identity theft", "Debt resulted from identity theft",
                             "Card was charged for something you did not purchase with the card",
                             "Charged for a purchase or transfer you did not make with the card",
                             "Card opened as result of identity theft or fraud", "Account opened as a result of fraud",
                             "Fraudulent loan", "Privacy issues", "Information belongs to someone else",
                             "Credit inquiries on your report that you don't recognize"}),
    "collection_harassment": ({"debt_collection_harassment"},
                              {"Communication tactics", "Took or threatened to take negative or legal action",
                               "Taking/threatening an illegal action",
                               "Threatened to contact someone or share information improperly",
                               "Improper contact or sharing of info"},
                              set()),
}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="?", default=str(Path(__file__).resolve().parents[2] / "shared/corpus/cfpb_complaints_sample_6623.csv"))
    ap.add_argument("--misses", type=int, default=0, help="print this many misses and false hits per group")
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from riskengine.engine import load_engine

    engine = load_engine(engine="compiled")
    with open(args.csv, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r.get("Consumer complaint narrative", "").strip()]
    t0 = time.perf_counter()
    read = [(r, {h.signal: h for h in engine.scanner.scan(r["Consumer complaint narrative"])}) for r in rows]
    elapsed = time.perf_counter() - t0
    chars = sum(len(r["Consumer complaint narrative"]) for r in rows)
    print(f"{len(rows)} narratives, {chars} characters, read in {elapsed:.2f} s "
          f"({elapsed / chars * 1e9:.0f} µs per 1,000 characters)")
    print(f"{'group':24} {'prec':>6} {'recall':>6} {'f1':>6} {'support':>8} {'tp':>5} {'fp':>5} {'fn':>5}")
    for group, (signals, issues, subs) in GROUPS.items():
        tp = fp = fn = 0
        wrong = []
        for r, hits in read:
            gold = r["Issue"] in issues or r["Sub-issue"] in subs
            pred = bool(signals & set(hits))
            tp += gold and pred
            fp += pred and not gold
            fn += gold and not pred
            if gold != pred and len(wrong) < args.misses:
                span = next((f"{s}: {hits[s].text!r}" for s in sorted(signals & set(hits))), "")
                wrong.append(f"  {'FP' if pred else 'FN'} [{r['Issue']} / {r['Sub-issue']}] {span} "
                             f"{r['Consumer complaint narrative'][:160]!r}")
        p = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
        print(f"{group:24} {p:6.3f} {rc:6.3f} {f1:6.3f} {tp + fn:8} {tp:5} {fp:5} {fn:5}")
        for line in wrong:
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
