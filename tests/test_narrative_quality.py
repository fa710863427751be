"""Quality floors of the narrative reader on the annotated corpus (tests/narratives/*.yaml).

Each floor is what the reader measured on the corpus when the floor was set, less 0.10:
a change that makes the reader worse on a signal fails here (look at `riskengine eval tests/narratives`
for the misses and false hits). Skipped only when the corpus folder is absent. The floors were
measured on the 1,229 items of the zh and en corpus branches (corpus-zh, corpus-en) on 2026-12-02;
RISKENGINE_NARRATIVE_CORPUS points the test at another folder.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from riskengine.reading.corpus_eval import evaluate, load_corpus

CORPUS = Path(os.environ.get("RISKENGINE_NARRATIVE_CORPUS") or Path(__file__).resolve().parent / "narratives")

# signal: (precision floor, recall floor), measured with `riskengine eval tests/narratives`.
FLOORS: dict[str, tuple[float, float]] = {
    "account_frozen": (0.65, 0.58),
    "agent_fee_share": (0.76, 0.54),
    "agent_harasses_relatives": (0.73, 0.35),
    "alleges_fraud": (0.61, 0.54),
    "alleges_mis_selling": (0.63, 0.33),
    "approached_by_stranger": (0.81, 0.68),
    "batch_same_wording": (0.72, 0.77),
    "bereavement": (0.63, 0.90),
    "bulk_purchase_beyond_need": (0.77, 0.53),
    "cites_legal_articles": (0.76, 0.76),
    "cites_many_articles": (0.73, 0.80),
    "claim_denied": (0.80, 0.60),
    "coerces_customer": (0.82, 0.82),
    "complain_until_refund": (0.81, 0.81),
    "complaint_after_refusal": (0.85, 0.29),
    "conflicting_statements": (0.90, 0.18),
    "contact_phone_changed": (0.90, 0.71),
    "court_filed": (0.70, 0.62),
    "credit_record_damage": (0.95, 0.49),
    "cross_regional": (0.64, 0.67),
    "crying_distress": (0.82, 0.82),
    "customer_unaware_of_complaint": (0.90, 0.74),
    "data_leak": (0.59, 0.79),
    "debt_collection_harassment": (0.69, 0.83),
    "demands_punitive_damages": (0.67, 0.90),
    "demands_regulator_publish": (0.78, 0.62),
    "demands_senior_staff": (0.77, 0.40),
    "demands_written_reply": (0.66, 0.66),
    "deposit_or_documents_held": (0.71, 0.65),
    "despair_hopeless": (0.84, 0.84),
    "disruptive_on_site": (0.65, 0.44),
    "escalated_to_head_office": (0.52, 0.80),
    "excessive_compensation": (0.90, 0.62),
    "fabricated_sales_flaws": (0.71, 0.54),
    "false_identity": (0.78, 0.62),
    "fee_dispute": (0.64, 0.72),
    "fishing_for_admissions": (0.81, 0.90),
    "forged_evidence": (0.81, 0.90),
    "full_premium_refund_demand": (0.90, 0.83),
    "full_refund_demand": (0.90, 0.58),
    "government_hotline": (0.63, 0.90),
    "group_gathering": (0.75, 0.87),
    "high_yield_product_push": (0.90, 0.71),
    "insults_staff": (0.80, 0.80),
    "knowingly_bought_defect": (0.75, 0.40),
    "label_wording_claim": (0.60, 0.31),
    "language_barrier": (0.66, 0.80),
    "large_amount": (0.90, 0.80),
    "lawyer_letter": (0.48, 0.80),
    "linked_accounts_same_ip": (0.77, 0.90),
    "livelihood_hardship": (0.85, 0.50),
    "long_running": (0.63, 0.67),
    "many_complaints_same_seller": (0.75, 0.44),
    "many_contacts_short_period": (0.73, 0.86),
    "maturity_payout_timing": (0.74, 0.74),
    "media_involved": (0.40, 0.31),
    "mental_strain": (0.90, 0.72),
    "mentions_regulator": (0.75, 0.82),
    "misspelled_keywords": (0.90, 0.90),
    "moved_to_private_chat": (0.63, 0.74),
    "multiple_accounts_orders": (0.78, 0.62),
    "near_regulatory_deadline": (0.75, 0.44),
    "new_sim_or_bank_card": (0.71, 0.71),
    "no_response_from_company": (0.59, 0.32),
    "off_hours_contact": (0.59, 0.80),
    "online_complaint_platform": (0.63, 0.74),
    "passed_around": (0.86, 0.68),
    "petition_filed": (0.73, 0.80),
    "petition_threat": (0.67, 0.77),
    "police_report": (0.53, 0.48),
    "promised_results_timeline": (0.90, 0.90),
    "records_calls": (0.62, 0.62),
    "refund_to_third_party_account": (0.80, 0.73),
    "refuses_contact": (0.80, 0.59),
    "regulator_letter_sent": (0.71, 0.20),
    "rejected_offers": (0.90, 0.31),
    "reopened_closed_case": (0.77, 0.53),
    "repeat_complaint": (0.67, 0.36),
    "repeat_purchase_after_compensation": (0.78, 0.62),
    "repeated_regulator_letters": (0.90, 0.90),
    "response_overdue": (0.77, 0.48),
    "same_agent_many_regions": (0.81, 0.90),
    "sensitive_period": (0.73, 0.61),
    "serious_illness": (0.68, 0.81),
    "settle_privately_or_report": (0.68, 0.90),
    "short_video_refund_ad": (0.75, 0.90),
    "social_media_post": (0.24, 0.40),
    "strong_anger": (0.73, 0.79),
    "surrender_loss": (0.37, 0.80),
    "template_letter": (0.61, 0.56),
    "third_party_power_of_attorney": (0.71, 0.71),
    "third_party_speaks": (0.77, 0.55),
    "threatens_lawsuit": (0.78, 0.73),
    "threatens_media": (0.73, 0.66),
    "threatens_self_harm": (0.90, 0.81),
    "threatens_violence": (0.90, 0.73),
    "told_not_to_contact_insurer": (0.81, 0.68),
    "ultimatum_deadline": (0.68, 0.59),
    "unauthorized_transaction": (0.61, 0.43),
    "unreachable": (0.80, 0.71),
    "vague_service_facts": (0.47, 0.23),
    "visit_in_person": (0.72, 0.63),
    "vulnerable_customer": (0.78, 0.75),
    "withdrawal_penalty_clause": (0.81, 0.81),
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
