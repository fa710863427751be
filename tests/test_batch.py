"""riskengine batch: JSON Lines and CSV in and out, errors file, order with workers, resume."""
from __future__ import annotations

import csv
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from riskengine import Assessment, CaseError
from riskengine.run.batch import SUMMARY_COLUMNS, assess_records, complete_lines, flat_to_case
from riskengine.cli import main
from riskengine.contracts.decision_row import ROW_FIELDS
from tests.conftest import MINI

RULES = ["--rules", str(MINI / "rules"), "--knowledge", str(MINI / "knowledge")]
SIGNALS = ["threatens_media", "repeat_complaint", "hostile_words", "template_letter", "contact_phone_changed"]


def make_cases(n: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        case = {"id": f"B-{i:04d}", "received": f"2025-0{rng.randint(1, 9)}-{rng.randint(10, 28)}",
                "industry": rng.choice(["insurance", "banking", "ecommerce"]), "channel": "hotline",
                "category": rng.choice(["claim_denial", "delivery_delay", "other"]),
                "signals": rng.sample(SIGNALS, k=rng.randint(0, 3)),
                "history": {"days_open": rng.randint(0, 30)},
                "demand": {"type": rng.choice(["full_refund", "apology", "compensation"])}}
        if rng.random() < 0.5:
            case["complainant"] = {"age": rng.randint(20, 90)}
        if rng.random() < 0.3:
            case["narrative"] = rng.choice(["客户说要找媒体曝光", "他骂我们是骗子", "I will call a reporter", "没有找媒体"])
        cases.append(case)
    return cases


def write_jsonl(path, cases, bad_at: dict[int, str] | None = None) -> None:
    lines = [json.dumps(c, ensure_ascii=False) for c in cases]
    for pos, text in sorted((bad_at or {}).items()):
        lines.insert(pos, text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(*args):
    result = CliRunner().invoke(main, ["batch", *map(str, args), *RULES])
    return result


def test_jsonl_in_full_jsonl_out_equals_assess(tmp_path, mini_engine):
    """--full: whole assessments (the default is the compact row, tests/test_decision_row.py)."""
    cases = make_cases(12)
    write_jsonl(tmp_path / "in.jsonl", cases)
    result = run(tmp_path / "in.jsonl", "--out", tmp_path / "out.jsonl", "--full")
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12
    for case, line in zip(cases, lines):
        assert line == mini_engine.assess(case, engine="compiled", missing_facts=False).model_dump_json()
    assert "batch: 12 records" in result.output and "errors 0" in result.output
    assert "risk levels:" in result.output and "strategies:" in result.output
    assert not (tmp_path / "out.jsonl.errors.jsonl").exists()


def test_csv_in_with_dotted_columns_and_csv_rows_out(tmp_path, mini_engine):
    rows = [
        {"id": "C1", "received": "2025-03-20", "industry": "insurance", "channel": "hotline",
         "category": "claim_denial", "history.days_open": "12", "signals": "threatens_media; repeat_complaint",
         "complainant.age": "", "complainant.vulnerable": "", "demand.type": "full_refund", "demand.amount": "1,200",
         "arbitration_agreement": "yes", "narrative": ""},
        {"id": "C2", "received": "2025-03-21", "industry": "banking", "channel": "online",
         "category": "other", "history.days_open": "", "signals": "", "complainant.age": "80",
         "complainant.vulnerable": "elderly,seriously_ill", "demand.type": "", "demand.amount": "",
         "arbitration_agreement": "", "narrative": "他说：我要找媒体！"},
    ]
    with open(tmp_path / "in.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = run(tmp_path / "in.csv", "--out", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as fh:
        out = list(csv.DictReader(fh))
    assert tuple(out[0]) == ROW_FIELDS
    assert [r["case_id"] for r in out] == ["C1", "C2"]
    first = mini_engine.assess({"id": "C1", "received": "2025-03-20", "industry": "insurance", "channel": "hotline",
                                "category": "claim_denial", "history": {"days_open": 12},
                                "signals": ["threatens_media", "repeat_complaint"],
                                "demand": {"type": "full_refund", "amount": 1200.0}, "arbitration_agreement": True},
                               engine="compiled", missing_facts=False)
    assert out[0]["risk_score"] == str(first.risk.score) and out[0]["risk_level"] == first.risk.level
    assert out[0]["risk_time"] == str(first.risk.dimensions.time)
    assert out[0]["strategy"] == first.strategy.id
    assert out[0]["channels"] == ";".join(c.id for c in first.channels)
    assert out[0]["respond_by"] == first.escalation.respond_by.isoformat()
    assert out[0]["ruleset_version"] == mini_engine.version
    assert out[0]["signals"] == "repeat_complaint;threatens_media" and out[1]["vulnerable"] == "elderly;seriously_ill"
    assert out[1]["agent_suspected"] in ("true", "false")
    # --full with a CSV OUTPUT keeps the older summary columns
    assert run(tmp_path / "in.csv", "--out", tmp_path / "sum.csv", "--full").exit_code == 0
    with open(tmp_path / "sum.csv", newline="", encoding="utf-8") as fh:
        assert tuple(next(csv.reader(fh))) == SUMMARY_COLUMNS


def test_flat_rows_convert_by_the_case_model():
    case = flat_to_case({"id": "X", "history.days_open": "7", "amount_in_dispute": "86,000.50",
                         "complainant.vulnerable": "elderly; disabled,", "arbitration_agreement": "FALSE",
                         "complainant.age": "", "group_size": 3.0, "signals": ["a", float("nan")],
                         "entitlement_amount": float("nan"), "narrative": " 原文 "})
    assert case == {"id": "X", "history": {"days_open": 7}, "amount_in_dispute": 86000.5,
                    "complainant": {"vulnerable": ["elderly", "disabled"]}, "arbitration_agreement": False,
                    "group_size": 3, "signals": ["a"], "narrative": " 原文 "}
    assert flat_to_case({"history.days_open": "seven"}) == {"history": {"days_open": "seven"}}  # validation names it


def test_bad_records_go_to_the_errors_file_with_their_line(tmp_path):
    cases = make_cases(6)
    cases[2]["industry"] = "insurence"
    cases[4]["signals"] = ["threatens_medai"]
    write_jsonl(tmp_path / "in.jsonl", cases, bad_at={1: "{not json", 3: "[1, 2]"})
    # the file is: case0, {not json, case1, [1,2], case2(bad), case3, case4(bad), case5  -> lines 1..8
    result = run(tmp_path / "in.jsonl", "--out", tmp_path / "out.jsonl", "--errors", tmp_path / "bad.jsonl")
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 4
    errors = [json.loads(line) for line in (tmp_path / "bad.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["line"] for e in errors] == [2, 4, 5, 7]
    assert errors[0]["code"] == "RE203" and "invalid JSON" in errors[0]["message"]
    assert errors[2]["case_id"] == "B-0002" and errors[2]["message"].startswith("industry:")
    assert errors[2]["location"].endswith("in.jsonl:5")
    assert "unknown signal 'threatens_medai'" in errors[3]["message"] and errors[3]["code"] == "RE202"
    assert "errors 4" in result.output


def test_hostile_lines_are_errors_not_crashes(tmp_path):
    """A line nested deeper than the JSON parser can follow, one that is not an object, or one longer
    than any case may be, is one error with its line; the records after it are still assessed."""
    cases = make_cases(3)
    from riskengine.run.batch import count_records
    from riskengine.io.casefile import MAX_LINE_BYTES
    huge = '{"id": "H", "narrative": "' + "x" * MAX_LINE_BYTES + '"}'
    write_jsonl(tmp_path / "in.jsonl", cases,
                bad_at={1: "[" * 100_000 + "]" * 100_000, 2: '"just text"', 3: huge})
    result = run(tmp_path / "in.jsonl", "--out", tmp_path / "out.jsonl", "--errors", tmp_path / "bad.jsonl")
    assert result.exit_code == 0, result.output
    assert [json.loads(x)["case_id"] for x in (tmp_path / "out.jsonl").read_text().splitlines()] == [
        c["id"] for c in cases]
    errors = [json.loads(line) for line in (tmp_path / "bad.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["line"], e["message"]) for e in errors] == [
        (2, "JSON nesting is too deep"), (3, "each line must be one JSON object"),
        (4, f"line is longer than {MAX_LINE_BYTES} bytes")]
    assert count_records(tmp_path / "in.jsonl") == 6


def test_a_csv_line_over_the_limit_is_one_error(tmp_path):
    """A line longer than any case may be is read past in pieces; its row is one error, the rows
    around it are assessed, and the progress count agrees."""
    from riskengine.run.batch import count_records
    from riskengine.io.casefile import MAX_LINE_BYTES
    row = "{},2025-03-20,insurance,hotline,other,{}\n"
    (tmp_path / "in.csv").write_text("id,received,industry,channel,category,narrative\n" + row.format("A", "ok")
                                     + row.format("B", "x" * MAX_LINE_BYTES) + row.format("C", "ok"),
                                     encoding="utf-8")
    result = run(tmp_path / "in.csv", "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 0, result.output
    assert [json.loads(x)["case_id"] for x in (tmp_path / "out.jsonl").read_text().splitlines()] == ["A", "C"]
    (error,) = [json.loads(x) for x in (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()]
    assert error["line"] == 3 and error["message"] == f"a line of this row is longer than {MAX_LINE_BYTES} characters"
    assert count_records(tmp_path / "in.csv") == 3


def test_progress_count_survives_rows_the_reader_rejects(tmp_path):
    """The progress bar counts the input first; a row over the CSV field limit or with a broken quote
    is one error there too, not a crash of the whole batch."""
    from riskengine.run.batch import count_records, run_batch
    head = "id,received,industry,channel,category,narrative\n"
    row = "{},2025-03-20,insurance,hotline,other,{}\n"
    (tmp_path / "in.csv").write_text(head + row.format("A", "ok") + row.format("B", "x" * 200_000)
                                     + row.format("C", '"fine"x') + row.format("D", "last"), encoding="utf-8")
    report = run_batch(tmp_path / "in.csv", tmp_path / "out.jsonl", rules=RULES[1], knowledge=RULES[3],
                       progress=True)
    assert (report.records, report.assessed, report.errors) == (4, 2, 2)
    assert count_records(tmp_path / "in.csv") == report.records


def test_inputs_saved_by_windows_tools(tmp_path):
    """A byte-order mark, CRLF line ends, and a lone CR between JSON tokens (whitespace to JSON): each
    record is read like the others, and a CR never cuts a line in two."""
    cases = make_cases(2)
    lines = [json.dumps(c).replace(', "received"', ',\r "received"') for c in cases]
    (tmp_path / "in.jsonl").write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    result = run(tmp_path / "in.jsonl", "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 0 and "errors 0" in result.output, result.output
    assert [json.loads(x)["case_id"] for x in (tmp_path / "out.jsonl").read_text().splitlines()] == [
        c["id"] for c in cases]


def test_a_mistyped_worker_count_is_capped(tmp_path, monkeypatch):
    monkeypatch.setattr("riskengine.cli.options.os.cpu_count", lambda: 1)
    cases = make_cases(3)
    write_jsonl(tmp_path / "in.jsonl", cases)
    result = run(tmp_path / "in.jsonl", "--out", tmp_path / "out.jsonl", "--workers", "1000")
    assert result.exit_code == 0, result.output
    assert "--workers 1000 is more than 4 per CPU here; using 4" in result.output and "4 workers" in result.output
    assert [json.loads(x)["case_id"] for x in (tmp_path / "out.jsonl").read_text().splitlines()] == [
        c["id"] for c in cases]


def test_csv_row_errors_and_unknown_columns(tmp_path):
    (tmp_path / "in.csv").write_text(
        "id,received,industry,channel,category,history.days_open\n"
        "A,2025-03-20,insurance,hotline,other,3\n"
        "B,2025-03-20,insurance,hotline,other,many\n"
        "C,2025-03-20,insurance\n"
        'D,2025-03-20,insurance,hotline,"other"x,3\n'         # a stray character after a closing quote
        "E,2025-03-20,insurance,hotline,other,4\n", encoding="utf-8")
    result = run(tmp_path / "in.csv", "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 0, result.output
    errors = [json.loads(x) for x in (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()]
    assert [(e["line"], e["case_id"]) for e in errors] == [(3, "B"), (4, None), (5, None)]
    assert "history.days_open" in errors[0]["message"] and "cells" in errors[1]["message"]
    assert errors[2]["message"].startswith("cannot read CSV row")   # not silently read as category "otherx"
    assert [json.loads(x)["case_id"] for x in (tmp_path / "out.jsonl").read_text().splitlines()] == ["A", "E"]
    (tmp_path / "cols.csv").write_text("id,received,complainant.agee\nA,2025-03-20,3\n", encoding="utf-8")
    result = run(tmp_path / "cols.csv", "--out", tmp_path / "o2.jsonl")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "unknown column 'complainant.agee'" in result.output
    assert "complainant.age" in result.output
    (tmp_path / "twice.csv").write_text("id,received,signals,industry,signals\nA,2025-03-20,a,banking,b\n",
                                        encoding="utf-8")
    result = run(tmp_path / "twice.csv", "--out", tmp_path / "o3.jsonl")
    assert result.exit_code == 1 and "column 'signals' appears twice (columns 3 and 5)" in result.output


def test_unreadable_input_and_bad_rules_are_located_one_line_errors(tmp_path):
    result = run(tmp_path / "missing.jsonl", "--out", tmp_path / "out.jsonl")
    assert result.exit_code == 1 and result.output.startswith("error:") and result.output.count("\n") == 1
    assert "Traceback" not in result.output
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "bad.yaml").write_text("rules:\n  - id: X\n    when: {signal: nope}\n", encoding="utf-8")
    write_jsonl(tmp_path / "in.jsonl", make_cases(1))
    result = CliRunner().invoke(main, ["batch", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "o.jsonl"),
                                        "--rules", str(tmp_path / "rules"), "--knowledge", str(MINI / "knowledge")])
    # As `validate` lists them: one located line per problem, then the count.
    lines = result.output.splitlines()
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert all(line.startswith(str(tmp_path / "rules" / "bad.yaml") + ":2:5: error RE010") for line in lines[:-1])
    assert lines[-1] == f"{len(lines) - 1} error(s), 0 warning(s)"


def test_order_is_kept_with_two_workers(tmp_path):
    cases = make_cases(90, seed=5)
    write_jsonl(tmp_path / "in.jsonl", cases, bad_at={10: "{oops"})
    one = run(tmp_path / "in.jsonl", "--out", tmp_path / "one.jsonl")
    two = run(tmp_path / "in.jsonl", "--out", tmp_path / "two.jsonl", "--workers", "2")
    assert one.exit_code == 0 and two.exit_code == 0, two.output
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    assert [json.loads(x)["case_id"] for x in (tmp_path / "two.jsonl").read_text().splitlines()] == [
        c["id"] for c in cases]
    assert (tmp_path / "one.jsonl.errors.jsonl").read_text() == (tmp_path / "two.jsonl.errors.jsonl").read_text()
    assert "2 workers" in two.output


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_resume_after_an_interruption_gives_the_uninterrupted_output(tmp_path, fmt):
    cases = make_cases(40, seed=9)
    cases[7]["industry"] = "nope"
    cases[25]["industry"] = "nope"
    write_jsonl(tmp_path / "in.jsonl", cases)
    full = run(tmp_path / "in.jsonl", "--out", tmp_path / f"full.{fmt}")
    assert full.exit_code == 0
    want_out = (tmp_path / f"full.{fmt}").read_bytes()
    want_err = (tmp_path / f"full.{fmt}.errors.jsonl").read_bytes()
    # Interrupted after 20 complete output lines and one error, in the middle of writing the next line.
    out_lines = want_out.splitlines(keepends=True)
    head = 21 if fmt == "csv" else 20   # csv: header + 20 records
    cut = tmp_path / f"cut.{fmt}"
    cut.write_bytes(b"".join(out_lines[:head]) + out_lines[head][: len(out_lines[head]) // 2])
    (tmp_path / f"cut.{fmt}.errors.jsonl").write_bytes(want_err.splitlines(keepends=True)[0] + b'{"line": 2')
    resumed = run(tmp_path / "in.jsonl", "--out", cut, "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "resumed after 21 records" in resumed.output
    assert cut.read_bytes() == want_out
    assert (tmp_path / f"cut.{fmt}.errors.jsonl").read_bytes() == want_err
    # Resuming a finished run does nothing more.
    again = run(tmp_path / "in.jsonl", "--out", cut, "--resume")
    assert again.exit_code == 0 and "batch: 0 records" in again.output
    assert cut.read_bytes() == want_out


@pytest.mark.parametrize("input_fmt", ["jsonl", "csv"])
def test_resume_does_not_repeat_rows_that_could_not_be_read(tmp_path, input_fmt):
    """Rows the reader rejects (broken JSON or CSV quoting) count as done like any other error."""
    if input_fmt == "csv":
        text = ("id,received,industry,channel,category\nA,2025-03-20,insurance,hotline,other\n"
                'B,2025-03-20,insurance,hotline,"other"x\nC,2025-03-20,insurance,hotline,other\n')
    else:
        text = "\n".join([json.dumps(c) for c in make_cases(1)] + ["{broken"] + [json.dumps(make_cases(2)[1])]) + "\n"
    (tmp_path / f"in.{input_fmt}").write_text(text, encoding="utf-8")
    assert run(tmp_path / f"in.{input_fmt}", "--out", tmp_path / "out.jsonl").exit_code == 0
    done = {p: (tmp_path / p).read_bytes() for p in ("out.jsonl", "out.jsonl.errors.jsonl")}
    again = run(tmp_path / f"in.{input_fmt}", "--out", tmp_path / "out.jsonl", "--resume")
    assert again.exit_code == 0 and "batch: 0 records" in again.output, again.output
    assert {p: (tmp_path / p).read_bytes() for p in done} == done


def test_complete_lines_cuts_a_partial_line(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'{"a": 1}\n{"b": 2}\n{"c"')
    assert complete_lines(p) == 2 and p.read_bytes() == b'{"a": 1}\n{"b": 2}\n'
    assert complete_lines(tmp_path / "none.jsonl") == 0


def test_assess_records_library_keeps_order_and_reports_errors(mini_engine):
    cases = make_cases(30, seed=3)
    cases[4] = {"id": "bad"}
    one = list(assess_records(mini_engine, cases))
    two = list(assess_records((MINI / "rules", MINI / "knowledge"), cases, workers=2, chunksize=4))
    assert [i for i, _ in two] == list(range(30))
    assert isinstance(two[4][1], CaseError) and "received" in two[4][1].message
    for (_, a), (_, b) in zip(one, two):
        if isinstance(a, Assessment):
            assert a.model_dump_json() == b.model_dump_json()
    experta = list(assess_records(mini_engine, cases[:6], engine="experta"))
    assert experta[0][1].engine == "experta" and one[0][1].engine == "compiled"


def _row_from_assessment(a: Assessment) -> dict:
    """What a summary must say, read from the full assessment (an oracle independent of key_figures)."""
    d = a.risk.dimensions
    return {"case_id": a.case_id, "risk.score": a.risk.score, "risk.level": a.risk.level, "risk.time": d.time,
            "risk.space": d.space, "risk.emotion": d.emotion, "risk.interest": d.interest,
            "risk.communication": d.communication, "agent.score": a.agent.score, "agent.suspected": a.agent.suspected,
            "strategy.id": a.strategy.id if a.strategy else None, "escalation.level": a.escalation.level,
            "escalation.respond_by": a.escalation.respond_by, "channels": [c.id for c in a.channels],
            "taboos": [t.id for t in a.taboos], "ruleset.version": a.ruleset.version}


def test_summary_figures_agree_with_the_full_assessment(engine):
    """The CSV batch path skips the explanation; its figures must still be the assessment's own."""
    from riskengine.testing.generate import generate_cases
    from riskengine.testing.ruletest import collect, load_test
    from tests.conftest import ROOT
    golden = [load_test(p)[1] for p in collect([ROOT / "tests" / "cases"])]
    cases = golden + generate_cases(400, seed=11, knowledge=engine)
    levels = set()
    for data in cases:
        full = engine.assess(data, engine="compiled", missing_facts=False)
        figures = engine.summarise(data, engine="compiled")
        assert figures == _row_from_assessment(full), data.get("id")
        assert list(figures) == list(SUMMARY_COLUMNS)
        levels.add(full.risk.level)
    assert levels == {"low", "medium", "high", "critical"}   # the comparison saw every level
    for data in golden:   # and on the reference engine
        assert engine.summarise(data, engine="experta") == engine.summarise(data, engine="compiled"), data["id"]


# Garbage in the input: whatever a line holds, reading yields one record or one error for it, never an
# exception, and the progress count agrees with what reading yields.
_pieces = st.sampled_from(['{', '}', '[', ']', '"', ',', ':', '\\', '\x00', '\ufeff', '\r', '\x1c', 'null',
                           '1e999', '"id"', '"A"', 'true', ' ', '中', '\ufffd'])
_deep = st.integers(1, 3000).map(lambda n: "[" * n + "]" * n)
_garbage_line = st.one_of(st.lists(_pieces, max_size=12).map("".join), _deep, st.text(max_size=30))


@settings(max_examples=150, deadline=None)
@given(st.lists(_garbage_line, min_size=1, max_size=8), st.sampled_from(["jsonl", "csv"]))
def test_reading_garbage_never_raises(tmp_path_factory, lines, fmt):
    from riskengine.run.batch import count_records, read_records
    path = tmp_path_factory.mktemp("garbage") / f"in.{fmt}"
    header = "id,received,industry,channel,category,narrative\n" if fmt == "csv" else ""
    path.write_text(header + "\n".join(line.replace("\n", " ") for line in lines) + "\n", encoding="utf-8")
    records = list(read_records(path, fmt))
    assert all((r.data is None) != (r.error is None) for r in records)
    assert all(r.error[1].startswith(str(path)) for r in records if r.error)
    assert count_records(path, fmt) == len(records)
