"""Weak-label report: the narrative reader against the CFPB Issue / Sub-issue labels.

    python3 -m uv run python bench/weak_labels.py [CSV] [--half dev|held|all] [--misses N] [--main]

Every row with a consumer narrative is read by the shipped engine (narrative only). A row is a
positive of a group when its Issue or Sub-issue is one of the group's labels (the mapping below, also
in docs/narrative.md and bench/README.md); the reader predicts the group when it raises one of the
group's signals. The corpus is never committed; this script only reads it.

Honest figures: the sample is split in two halves by a stable hash of the Complaint ID (sha256, first
byte even: ``dev``; odd: ``held``). Knowledge is tuned by looking at the dev half only; the held-out
half is reported, never read for tuning. Without ``--half`` both halves are reported.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import time
from pathlib import Path

# The CFPB files each complaint under ONE Issue (the consumer picks it from a menu that depends on
# the product), so the labels say what the complaint is ABOUT; the signals are read to mean the same
# ("the complaint disputes a fee", not "a fee is mentioned").
#
# group -> (signals that predict it, Issue labels, Sub-issue labels). Labels of the 2011-2017 and the
# 2017- taxonomies; a Sub-issue label also matches when the CSV cut it short (a prefix of 60+ chars).
GROUPS: dict[str, tuple[set[str], set[str], set[str]]] = {
    # A fee or interest charged by the firm, disputed: fee Issues, and the fee/interest Sub-issues
    # of broader Issues (Managing an account / Fee problem; Problem caused by your funds being low /
    # Overdrafts ...). Interest counts: the CFPB files "Charged too much interest" under "Fees or
    # interest", and a payday loan's cost is its interest. NOT: "Bounced checks or returned payments",
    # "Overcharged for something you did purchase" (a purchase price), "Settlement process and costs".
    "fees": ({"fee_dispute"},
             {"Fees or interest", "Charged fees or interest you didn't expect", "Charged fees or interest I didn't expect",
              "Unexpected or other fees", "Excessive fees", "Overdraft, savings and protection",
              "Late fee", "Other fee", "Balance transfer fee", "Cash advance fee", "Overlimit fee", "Annual fee",
              "APR or interest rate", "Problems caused by my funds being low"},
             {"Fee problem", "Overdrafts and overdraft fees", "Problem with fees", "Non-sufficient funds and associated fees",
              "Don't agree with the fees charged", "Problem with fees charged", "Fees charged for closing account",
              "Excess mileage, damage, or wear fees, or other problem after the lease is finished",
              "Charged too much interest", "Unexpected increase in interest rate", "Problem with the interest rate"}),
    # Fraud on the consumer, a transaction or account they did not authorise, identity theft behind a
    # debt or an account, personal data exposed. NOT the credit-report Sub-issues that often mention
    # identity theft ("Information belongs to someone else", inquiries you don't recognise): there the
    # complaint is about the report (reported separately as fraud_incl_identity).
    "fraud_unauthorised": ({"unauthorized_transaction", "alleges_fraud", "data_leak"},
                           {"Fraud or scam", "Unauthorized transactions or other transaction problem",
                            "Identity theft / Fraud / Embezzlement", "Unauthorized transactions/trans. issues"},
                           {"Debt was result of identity theft", "Debt resulted from identity theft",
                            "Card was charged for something you did not purchase with the card",
                            "Charged for a purchase or transfer you did not make with the card",
                            "Card opened as result of identity theft or fraud", "Account opened as a result of fraud",
                            "Fraudulent loan", "Privacy issues", "Transaction was not authorized"}),
    # The same, with the credit-report sub-issues that mostly describe identity theft ("a loan I didn't
    # apply for"): reported beside the strict mapping, never instead of it.
    "fraud_incl_identity": ({"unauthorized_transaction", "alleges_fraud", "data_leak"},
                            {"Fraud or scam", "Unauthorized transactions or other transaction problem",
                             "Identity theft / Fraud / Embezzlement", "Unauthorized transactions/trans. issues",
                             "Problem with fraud alerts or security freezes"},
                            {"Debt was result of identity theft", "Debt resulted from identity theft",
                             "Card was charged for something you did not purchase with the card",
                             "Charged for a purchase or transfer you did not make with the card",
                             "Card opened as result of identity theft or fraud", "Account opened as a result of fraud",
                             "Fraudulent loan", "Privacy issues", "Transaction was not authorized",
                             "Information belongs to someone else",
                             "Credit inquiries on your report that you don't recognize"}),
    # How a collector (or a lender collecting) treats the consumer: calls and contact tactics, threats
    # of legal or negative action, contacting third persons. NOT "Attempts to collect debt not owed",
    # "Written notification about debt", "False statements ... wrong amount": whether the debt is owed
    # or validated is a dispute about the debt, not harassment. "Took or threatened to take negative or
    # legal action" is taken whole (as the issue says), though three of its Sub-issues are acts rather
    # than threats (sued without notice, exempt funds, property seized).
    "collection_harassment": ({"debt_collection_harassment"},
                              {"Communication tactics", "Took or threatened to take negative or legal action",
                               "Taking/threatening an illegal action",
                               "Threatened to contact someone or share information improperly",
                               "Improper contact or sharing of info"},
                              {"Indicated you were committing crime by not paying debt",
                               "Keep getting calls about your loan"}),
    # A negative or wrong entry on the consumer's credit file (credit_record_damage): a status or account
    # reported wrongly, an account that belongs to someone else, old information that reappears, a public
    # record, or an error the bureau's investigation left in place. NOT "Personal information incorrect"
    # (a name or address), inquiries ("Improper use of your report"), or the dispute process alone
    # (not notified, over 30 days, the personal statement): those name no entry against the consumer.
    # A collector's threat to report ("Threatened or suggested your credit would be damaged") is no damage done.
    "credit_record": ({"credit_record_damage"},
                      set(),
                      {"Account status incorrect", "Account information incorrect", "Information belongs to someone else",
                       "Old information reappears or never goes away", "Public record information inaccurate",
                       "Their investigation did not fix an error on your report"}),
    # A transaction or an account the consumer did not authorise (unauthorized_transaction alone): the transaction
    # Issues and Sub-issues, and identity theft behind a debt, a card or a loan. NOT "Fraud or scam" (a scam the consumer
    # paid into is authorised), "Privacy issues" (data_leak), nor the credit-report Sub-issues that cite identity theft.
    "unauthorised": ({"unauthorized_transaction"},
                     {"Unauthorized transactions or other transaction problem", "Identity theft / Fraud / Embezzlement",
                      "Unauthorized transactions/trans. issues"},
                     {"Debt was result of identity theft", "Debt resulted from identity theft",
                      "Card was charged for something you did not purchase with the card",
                      "Charged for a purchase or transfer you did not make with the card",
                      "Card opened as result of identity theft or fraud", "Account opened as a result of fraud",
                      "Fraudulent loan", "Transaction was not authorized"}),
    # The firm did not answer, or answered late: the consumer says a dispute or request went unanswered or took
    # longer than the time allowed (a bureau's 30 days under FCRA 611). NOT "Their investigation did not fix an
    # error" (answered, wrongly), "Difficulty submitting a dispute ... over the phone" (access, not silence), nor
    # "Didn't receive enough information to verify debt" (a validation dispute about the debt).
    "no_response_overdue": ({"no_response_from_company", "response_overdue"},
                            {"Can't contact lender or servicer"},
                            {"Was not notified of investigation status or results",
                             "Investigation took more than 30 days"}),
}


def is_positive(row: dict, issues: set[str], subs: set[str]) -> bool:
    sub = row.get("Sub-issue", "")
    return row.get("Issue", "") in issues or sub in subs or (
        len(sub) >= 60 and any(s.startswith(sub) for s in subs))


def half_of(complaint_id: str) -> str:
    """``dev`` or ``held``: a stable split by the Complaint ID (the same on every machine and run)."""
    return "dev" if hashlib.sha256(complaint_id.encode()).digest()[0] % 2 == 0 else "held"


# Experiment (--main): the CFPB files each complaint under its MAIN issue, while the reader reports
# everything a narrative mentions. A narrative's main money topic is the one whose words it uses most
# (ties: the earliest); a credit-report topic competes, since most CFPB narratives are report disputes
# that also mention fraud or fees. A group is predicted when its signal fired AND its topic is main.
TOPICS: dict[str, tuple[str, ...]] = {
    "fees": ("fee", "overdraft", "late charge", "finance charge", "interest rate", "interest charge",
             "service charge", "annual fee", "nsf", "insufficient funds", "penalty"),
    "fraud_unauthorised": ("fraud", "fraudulent", "unauthorized", "unauthorised", "scam", "scammer",
                           "identity theft", "stolen", "hacked", "phishing", "did not authorize"),
    "collection_harassment": ("collector", "collection agency", "debt collector", "calls", "calling me",
                              "harass", "harassment", "threatened", "voicemail", "my employer", "my family"),
    "report": ("credit report", "credit bureau", "equifax", "experian", "transunion", "reporting",
               "inaccurate", "dispute", "fcra", "1681", "tradeline", "credit file", "inquiry"),
    "mortgage": ("mortgage", "escrow", "loan modification", "foreclosure", "servicer"),
}


def main_topic(text: str, hits: dict, lexicon, normalise) -> str | None:
    occ = lexicon.find(normalise(text))
    count = {t: len(occ.get("topic_" + t, ())) for t in TOPICS}
    first = {t: occ["topic_" + t][0].start if occ.get("topic_" + t) else 10 ** 9 for t in TOPICS}
    live = [t for t in TOPICS if count[t] and (t not in GROUPS or GROUPS[t][0] & set(hits))]
    return max(live, key=lambda t: (count[t], -first[t])) if live else None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="?", default=str(Path(__file__).resolve().parents[2] / "shared/corpus/cfpb_complaints_sample_6623.csv"))
    ap.add_argument("--misses", type=int, default=0, help="print this many misses and false hits per group")
    ap.add_argument("--half", choices=("dev", "held", "all"), default=None,
                    help="score only this half (default: dev, held and all, one after the other)")
    ap.add_argument("--main", action="store_true",
                    help="predict a group only when its topic is the narrative's MAIN money topic (see TOPICS)")
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from riskengine.engine import load_engine

    engine = load_engine(engine="compiled")
    with open(args.csv, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r.get("Consumer complaint narrative", "").strip()]
    lexicon = normalise = None
    if args.main:
        from riskengine.contracts.knowledge import Concept
        from riskengine.reading.lexicon import Lexicon, to_simplified
        from riskengine.reading.narrative import normalise as _norm
        lexicon = Lexicon({"topic_" + t: Concept(id="topic_" + t, name={"zh": t, "en": t}, en=terms)
                           for t, terms in TOPICS.items()})
        normalise = lambda text: to_simplified(_norm(text[:20_000]))  # noqa: E731
    t0 = time.perf_counter()
    read = [(r, {h.signal: h for h in engine.scanner.scan(r["Consumer complaint narrative"])}) for r in rows]
    elapsed = time.perf_counter() - t0
    chars = sum(len(r["Consumer complaint narrative"]) for r in rows)
    print(f"{len(rows)} narratives, {chars} characters, read in {elapsed:.2f} s "
          f"({elapsed / chars * 1e9:.0f} µs per 1,000 characters)")
    mains = [main_topic(r["Consumer complaint narrative"], hits, lexicon, normalise) if args.main else None
             for r, hits in read]
    for part in ((args.half,) if args.half else ("dev", "held", "all")):
        print(f"\n{part} half" if part != "all" else "\nwhole sample")
        print(f"{'group':24} {'prec':>6} {'recall':>6} {'f1':>6} {'support':>8} {'tp':>5} {'fp':>5} {'fn':>5}")
        for group, (signals, issues, subs) in GROUPS.items():
            tp = fp = fn = 0
            topic = "fraud_unauthorised" if group == "fraud_incl_identity" else group
            wrong = []
            for (r, hits), main_t in zip(read, mains):
                if part != "all" and half_of(r["Complaint ID"]) != part:
                    continue
                gold = is_positive(r, issues, subs)
                pred = bool(signals & set(hits)) and (not args.main or main_t == topic)
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
