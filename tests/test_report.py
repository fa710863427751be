"""riskengine report: the numbers of the root-cause report on rows with known answers, in every format."""
from __future__ import annotations

import json

from click.testing import CliRunner

from riskengine.cli import main
from riskengine.contracts.decision_row import ROW_FIELDS, DecisionRow, csv_header, csv_line, row_json


def mk(case_id: str, received: str, **over) -> dict:
    row = {"case_id": case_id, "ruleset_version": "v1", "received": received, "jurisdiction": "CN",
           "industry": "insurance", "intake_channel": "hotline", "category": "claim_denial", "product": "寿险",
           "days_open": None, "risk_score": 10, "risk_level": "low", "risk_time": 0, "risk_space": 0,
           "risk_emotion": 0, "risk_interest": 10, "risk_communication": 0, "agent_score": 0,
           "agent_suspected": False, "agent_signs": [], "strategy": "routine", "also_strategies": [],
           "escalation_level": 1, "respond_by": None, "deadline": None, "channels": ["internal"], "taboos": [],
           "legal_bases": [], "findings": [], "fired_rules": [], "signals": [], "narrative_signals": [],
           "vulnerable": []}
    row.update(over)
    assert tuple(row) == ROW_FIELDS
    DecisionRow.model_validate(row)
    return row


ROWS = [
    # January: 3 cases; A overdue (opened 20 days, due after 15), B in time, C due 01-20 with no days_open
    mk("A", "2025-01-01", days_open=20, respond_by="2025-01-16", deadline="cn_15d", risk_level="high",
       escalation_level=2, signals=["threatens_media"], narrative_signals=["threatens_media", "hostile_words"],
       findings=["media_risk"], strategy="media_crisis"),
    mk("B", "2025-01-05", days_open=5, respond_by="2025-01-20", deadline="cn_15d", risk_level="critical",
       agent_suspected=True, escalation_level=3, signals=["template_letter"], findings=["media_risk", "agent"],
       strategy="agent_protocol", also_strategies=["care"], intake_channel="online", product="<b>车险</b>"),
    mk("C", "2025-01-20", respond_by="2025-02-04", deadline="cn_15d", narrative_signals=["hostile_words"],
       category="service_attitude"),
    # February: 2 cases, one agent-suspected
    mk("D", "2025-02-03", agent_suspected=True, signals=["template_letter"], also_strategies=["care"],
       intake_channel="online", product="<b>车险</b>"),
    mk("E", "2025-02-28", days_open=1, respond_by="2025-03-30", deadline="us_30d", jurisdiction="US"),
]


def write(tmp_path, fmt: str):
    path = tmp_path / f"rows.{fmt}"
    if fmt == "jsonl":
        path.write_text("".join(row_json(r) + "\n" for r in ROWS), encoding="utf-8")
    else:
        path.write_text(csv_header() + "".join(csv_line(r) for r in ROWS), encoding="utf-8")
    return path


def report(path, *args) -> dict:
    result = CliRunner().invoke(main, ["report", str(path), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_report_numbers_on_known_rows(tmp_path):
    r = report(write(tmp_path, "jsonl"))
    assert r["cases"] == 5 and (r["received_from"], r["received_to"]) == ("2025-01-01", "2025-02-28")
    assert r["volume_by_month"] == [["2025-01", 3], ["2025-02", 2]]
    assert r["categories"] == [["claim_denial", 4], ["service_attitude", 1]]
    assert r["risk_levels"] == [["low", 3], ["medium", 0], ["high", 1], ["critical", 1]]
    assert r["escalation_levels"] == [[1, 3], [2, 1], [3, 1]]
    # a signal both declared and read from the narrative counts once for its case
    assert r["top_signals"] == [["hostile_words", 2], ["template_letter", 2], ["threatens_media", 1]]
    assert r["top_findings"] == [["media_risk", 2], ["agent", 1]]
    assert (r["agent_suspected"], r["agent_suspected_share"]) == (2, 0.4)
    assert r["agent_trend"] == [["2025-01", 1, 0.3333], ["2025-02", 1, 0.5]]
    # A overdue; B and E in time; C cannot be told without --as-of; D has no clock
    assert (r["overdue"], r["overdue_known"], r["overdue_share"]) == (1, 3, 0.3333)
    assert r["clocks"] == [{"deadline": "cn_15d", "cases": 3, "told": 2, "overdue": 1, "overdue_share": 0.5},
                           {"deadline": "us_30d", "cases": 1, "told": 1, "overdue": 0, "overdue_share": 0.0}]
    assert r["top_strategies"] == [["routine", 3], ["agent_protocol", 1], ["media_crisis", 1]]
    assert r["top_also_strategies"] == [["care", 2]]
    assert [(g["group"], g["cases"], g["agent_suspected"]) for g in r["groups"]] == [("2025-01", 3, 1), ("2025-02", 2, 1)]
    channels = {c["channel"]: c for c in r["signals_by_channel"]}
    assert channels["online"]["cases"] == 2 and channels["online"]["top_signals"] == [["template_letter", 2]]
    assert channels["hotline"]["top_signals"] == [["hostile_words", 2], ["threatens_media", 1]]
    products = {p["product"]: p["cases"] for p in r["signals_by_product"]}
    assert products == {"寿险": 3, "<b>车险</b>": 2}


def test_grouping_by_month_reads_in_time_order_not_by_volume(tmp_path):
    rows = ROWS + [mk(f"M{i}", "2025-03-1" + str(i)) for i in range(4)]    # March outnumbers January
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(row_json(r) + "\n" for r in rows), encoding="utf-8")
    r = report(path, "--by", "month")
    assert [(g["group"], g["cases"]) for g in r["groups"]] == [("2025-01", 3), ("2025-02", 2), ("2025-03", 4)]
    by_category = report(path, "--by", "category")["groups"]
    assert [g["group"] for g in by_category] == ["claim_denial", "service_attitude"]


def test_as_of_decides_rows_without_days_open(tmp_path):
    r = report(write(tmp_path, "jsonl"), "--as-of", "2025-02-10")
    # C (due 02-04) is now overdue; D has no respond_by
    assert (r["overdue"], r["overdue_known"]) == (2, 4) and r["as_of"] == "2025-02-10"
    bad = CliRunner().invoke(main, ["report", str(tmp_path / "rows.jsonl"), "--as-of", "10/02/2025"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_grouping_by_signal_product_category_channel(tmp_path):
    path = write(tmp_path, "jsonl")
    by_signal = {g["group"]: g["cases"] for g in report(path, "--by", "signal")["groups"]}
    assert by_signal == {"hostile_words": 2, "template_letter": 2, "threatens_media": 1, "(no signal)": 1}
    assert [(g["group"], g["cases"]) for g in report(path, "--by", "category")["groups"]] == [
        ("claim_denial", 4), ("service_attitude", 1)]
    by_channel = report(path, "--by", "channel")["groups"]
    assert [(g["group"], g["cases"], g["high_or_critical"]) for g in by_channel] == [("hotline", 3, 1), ("online", 2, 1)]
    by_product = report(path, "--by", "product")["groups"]
    assert by_product[0]["group"] == "寿险" and by_product[0]["overdue"] == 1


def test_csv_rows_give_the_same_report_as_json_lines(tmp_path):
    assert report(write(tmp_path, "csv")) == report(write(tmp_path, "jsonl"))


def test_html_is_self_contained_with_svg_charts_and_escaped_text(tmp_path):
    path = write(tmp_path, "jsonl")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(path), "--by", "product", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.count("<svg") >= 5 and "<script" not in html and "<b>车险" not in html
    assert "&lt;b&gt;车险&lt;/b&gt;" in html and "<td>cn_15d</td><td>3</td><td>2</td><td>1</td><td>50.0%</td>" in html
    assert not any(s in html for s in ("src=\"http", "href=\"http", "@import"))
    md = CliRunner().invoke(main, ["report", str(path)]).output
    assert "| 2025-01 | 3 |" in md and "| cn_15d | 3 | 2 | 1 | 50.0% |" in md
    # the same rows give the same report, byte for byte
    again = CliRunner().invoke(main, ["report", str(path), "--by", "product", "--format", "html"]).output
    assert again == html


def test_full_assessments_and_missing_files_are_one_line_errors(tmp_path):
    full = tmp_path / "full.jsonl"
    full.write_text(row_json(ROWS[0]) + "\n" + json.dumps({"case_id": "X", "risk": {"level": "low"}}) + "\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(full)])
    assert result.exit_code == 1 and f"{full}:2" in result.output and "--full" in result.output
    assert "Traceback" not in result.output
    missing = CliRunner().invoke(main, ["report", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 1 and "nope.jsonl" in missing.output and len(missing.output.splitlines()) == 1
