"""Quality floors of the narrative reader on the annotated corpus (tests/narratives/*.yaml).

Each floor is what the reader measured on the corpus when the floor was set, less 0.05:
a change that makes the reader worse on a signal fails here (look at `riskengine eval tests/narratives`
for the misses and false hits). Skipped only when the corpus folder is absent. The floors were
measured on the 2,290 items of tests/narratives on 2026-12-03 (after branches reader4 and lead5);
RISKENGINE_NARRATIVE_CORPUS points the test at another folder.
Reset after round 2 (issue 13: agent signs, threats, emotion; money, fraud, collection and process signals;
amounts) on the merged reader.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from riskengine.reading.corpus_eval import evaluate, load_corpus

CORPUS = Path(os.environ.get("RISKENGINE_NARRATIVE_CORPUS") or Path(__file__).resolve().parent / "narratives")

# signal: (precision floor, recall floor), measured with `riskengine eval tests/narratives`.
FLOORS: dict[str, tuple[float, float]] = {
    "account_frozen": (0.73, 0.64),
    "agent_fee_share": (0.93, 0.94),
    "agent_harasses_relatives": (0.94, 0.94),
    "alleges_fraud": (0.89, 0.89),
    "alleges_mis_selling": (0.73, 0.43),
    "approached_by_stranger": (0.94, 0.93),
    "batch_same_wording": (0.92, 0.92),
    "bereavement": (0.91, 0.94),
    "bulk_purchase_beyond_need": (0.94, 0.94),
    "cites_legal_articles": (0.83, 0.83),
    "cites_many_articles": (0.94, 0.94),
    "claim_denied": (0.77, 0.62),
    "coerces_customer": (0.92, 0.92),
    "complain_until_refund": (0.91, 0.91),
    "complaint_after_refusal": (0.86, 0.34),
    "conflicting_statements": (0.94, 0.28),
    "contact_phone_changed": (0.94, 0.87),
    "court_filed": (0.87, 0.94),
    "credit_record_damage": (0.94, 0.48),
    "cross_regional": (0.70, 0.72),
    "crying_distress": (0.94, 0.89),
    "customer_unaware_of_complaint": (0.94, 0.94),
    "data_leak": (0.73, 0.78),
    "debt_collection_harassment": (0.79, 0.88),
    "demands_punitive_damages": (0.80, 0.94),
    "demands_regulator_publish": (0.94, 0.94),
    "demands_senior_staff": (0.83, 0.52),
    "demands_written_reply": (0.73, 0.73),
    "deposit_or_documents_held": (0.94, 0.91),
    "despair_hopeless": (0.92, 0.94),
    "disruptive_on_site": (0.70, 0.49),
    "escalated_to_head_office": (0.53, 0.85),
    "excessive_compensation": (0.89, 0.80),
    "fabricated_sales_flaws": (0.91, 0.94),
    "false_identity": (0.94, 0.94),
    "fee_dispute": (0.73, 0.78),
    "fishing_for_admissions": (0.90, 0.94),
    "forged_evidence": (0.90, 0.94),
    "full_premium_refund_demand": (0.94, 0.91),
    "full_refund_demand": (0.92, 0.92),
    "government_hotline": (0.72, 0.94),
    "group_gathering": (0.70, 0.87),
    "high_yield_product_push": (0.94, 0.94),
    "insults_staff": (0.94, 0.91),
    "knowingly_bought_defect": (0.94, 0.92),
    "label_wording_claim": (0.93, 0.93),
    "language_barrier": (0.71, 0.85),
    "large_amount": (0.91, 0.83),
    "lawyer_letter": (0.83, 0.94),
    "linked_accounts_same_ip": (0.94, 0.94),
    "livelihood_hardship": (0.88, 0.66),
    "long_running": (0.66, 0.70),
    "many_complaints_same_seller": (0.94, 0.91),
    "many_contacts_short_period": (0.75, 0.87),
    "maturity_payout_timing": (0.79, 0.79),
    "measure_set_by_precedent": (0.94, 0.87),
    "media_involved": (0.86, 0.86),
    "mental_strain": (0.94, 0.94),
    "mentions_regulator": (0.92, 0.93),
    "misspelled_keywords": (0.94, 0.94),
    "moved_to_private_chat": (0.94, 0.94),
    "multiple_accounts_orders": (0.94, 0.90),
    "near_regulatory_deadline": (0.80, 0.49),
    "new_sim_or_bank_card": (0.94, 0.94),
    "no_response_from_company": (0.63, 0.37),
    "off_hours_contact": (0.64, 0.85),
    "online_complaint_platform": (0.70, 0.80),
    "passed_around": (0.86, 0.68),
    "petition_filed": (0.86, 0.86),
    "petition_threat": (0.94, 0.91),
    "police_report": (0.94, 0.87),
    "promised_results_timeline": (0.94, 0.94),
    "records_calls": (0.77, 0.75),
    "refund_to_third_party_account": (0.90, 0.90),
    "refuses_contact": (0.85, 0.64),
    "regulator_letter_sent": (0.90, 0.86),
    "rejected_offers": (0.94, 0.36),
    "reopened_closed_case": (0.94, 0.78),
    "repeat_complaint": (0.77, 0.41),
    "repeat_purchase_after_compensation": (0.94, 0.94),
    "repeated_regulator_letters": (0.94, 0.94),
    "response_overdue": (0.82, 0.53),
    "same_agent_many_regions": (0.90, 0.94),
    "sensitive_period": (0.78, 0.66),
    "serious_illness": (0.94, 0.94),
    "settle_privately_or_report": (0.94, 0.94),
    "short_video_refund_ad": (0.90, 0.94),
    "social_media_post": (0.87, 0.87),
    "strong_anger": (0.93, 0.91),
    "surrender_loss": (0.58, 0.90),
    "template_letter": (0.94, 0.94),
    "third_party_power_of_attorney": (0.90, 0.86),
    "third_party_speaks": (0.83, 0.59),
    "threatens_lawsuit": (0.92, 0.92),
    "threatens_media": (0.94, 0.87),
    "threatens_online_post": (0.94, 0.94),
    "threatens_self_harm": (0.94, 0.94),
    "threatens_violence": (0.94, 0.94),
    "told_not_to_contact_insurer": (0.91, 0.94),
    "ultimatum_deadline": (0.83, 0.77),
    "unauthorized_transaction": (0.78, 0.59),
    "unreachable": (0.85, 0.76),
    "vague_service_facts": (0.94, 0.91),
    "visit_in_person": (0.71, 0.70),
    "vulnerable_customer": (0.92, 0.94),
    "withdrawal_penalty_clause": (0.90, 0.94),
}


@pytest.fixture(scope="module")
def report(engine):
    if not CORPUS.is_dir():
        pytest.skip("tests/narratives/ is absent")
    items, problems = load_corpus(CORPUS, engine.ruleset.knowledge.signals)
    assert not problems, "\n".join(map(str, problems[:10]))
    return evaluate(engine.scanner, items)


@pytest.mark.parametrize("signal", sorted(FLOORS))
def test_signal_meets_its_floor(report, signal):
    precision_floor, recall_floor = FLOORS[signal]
    score = report.scores.get(signal)
    assert score is not None and score.support, f"{signal}: no annotated item shows it any more"
    assert (score.precision or 0.0) >= precision_floor, \
        f"{signal}: precision {score.precision:.3f} < {precision_floor} (fp={score.fp})"
    assert score.recall >= recall_floor, f"{signal}: recall {score.recall:.3f} < {recall_floor} (fn={score.fn})"


def test_no_action_of_the_firm_is_read_as_the_complainants_threat(report):
    """A collector's or agent's threat against the complainant never raises the complainant's threats."""
    wrong = [f for f in report.false_hits
             if f["signal"] in ("threatens_lawsuit", "threatens_media", "threatens_violence") and f["actor"] == "firm"]
    assert not wrong, wrong[:3]
