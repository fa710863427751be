"""Why / why-not, traces, reports, the interview, the profile and the script (on the small fixture)."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from riskengine.cli.group import main
from riskengine.explain.why import recommendation_traces, render_trace, render_why_not, why_not
from riskengine.explain.interview import run_interview
from riskengine.render.report import render_html, render_markdown
from tests.conftest import MINI, base_case

MINI_ARGS = ["--rules", str(MINI / "rules"), "--knowledge", str(MINI / "knowledge")]


def test_why_not_names_the_unmet_condition_and_value(mini_engine):
    case = mini_engine.parse_case(base_case(signals=["threatens_media"], history={"days_open": 3}))
    w = why_not(mini_engine, case, "MEDIA-LONG")
    assert not w.fired and [u.text for u in w.unmet] == ["history.days_open is 3; this rule needs ≥ 10"]
    assert w.unmet[0].actual == 3


def test_why_not_follows_findings_down_the_chain(mini_engine):
    case = mini_engine.parse_case(base_case(signals=["threatens_media"], history={"days_open": 3}))
    lines = render_why_not(why_not(mini_engine, case, "HEAD-CHANNEL"))
    assert lines[1].strip() == ("- finding needs_head was not asserted; it comes from MEDIA-ESCALATE, "
                                "which did not fire")
    assert lines[-1].strip() == "- history.days_open is 3; this rule needs ≥ 10"


def test_why_not_unknown_values_negation_and_counts(mini_engine):
    unknown = mini_engine.parse_case(base_case(signals=["threatens_media"]))
    assert why_not(mini_engine, unknown, "MEDIA-LONG").unmet[0].text == (
        "history.days_open is unknown; this rule needs ≥ 10")
    agent = mini_engine.parse_case(base_case(demand={"type": "full_refund"},
                                             signals=["template_letter", "contact_phone_changed"]))
    assert why_not(mini_engine, agent, "SETTLE").unmet[0].text == (
        "finding suspected_agent was asserted (by AGENT); this rule needs it absent")
    one = mini_engine.parse_case(base_case(signals=["template_letter"]))
    assert why_not(mini_engine, one, "AGENT").unmet[0].text == (
        "1 of [template_letter, contact_phone_changed] present (template_letter); this rule needs at least 2")
    assert why_not(mini_engine, one, "ROUTINE").fired


def test_traces_lead_from_recommendation_to_raw_facts(mini_engine):
    case = mini_engine.parse_case(base_case(signals=["threatens_media"], history={"days_open": 12}))
    state, hits, ev = mini_engine.evaluate(case)
    a = mini_engine.assess(case)
    traces = dict(recommendation_traces(a, ev))
    lines = render_trace(traces["channel mediation"][0])
    assert [l.strip().split(" ⇐ ")[0] for l in lines] == ["HEAD-CHANNEL", "MEDIA-ESCALATE", "MEDIA-LONG"]
    assert "history.days_open=12" in lines[-1]


def test_explain_cli(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("id: E-1\nreceived: 2025-03-20\nindustry: insurance\nchannel: hotline\ncategory: other\n"
                    "signals: [threatens_media]\nhistory: {days_open: 3}\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["explain", str(path), "--why-not", "MEDIA-LONG", *MINI_ARGS])
    assert res.exit_code == 0 and "history.days_open is 3; this rule needs ≥ 10" in res.stdout
    bad = runner.invoke(main, ["explain", str(path), "--why-not", "MEDIA-LONGG", *MINI_ARGS])
    assert bad.exit_code == 1 and "did you mean 'MEDIA-LONG'" in bad.stderr
    trace = runner.invoke(main, ["explain", str(path), *MINI_ARGS])
    assert trace.exit_code == 0 and "strategy routine:" in trace.stdout


def test_profile_and_script_for_an_elderly_customer_led_by_an_agent(mini_engine):
    a = mini_engine.assess(base_case(complainant={"age": 80}, entitlement_amount=30000,
                                     demand={"type": "full_refund", "amount": 100000},
                                     signals=["template_letter", "contact_phone_changed"]))
    p = a.profile
    assert p.nature.id == "professional_agent" and p.nature.rules == ["PROFILE-AGENT"]
    assert p.priority.id == "P1" and [s.id for s in p.styles] == ["verify_and_separate", "plain_words"]
    assert p.expectation_gap.gap == 70000 and p.expectation_gap.ratio == 3.33
    # issue 14 §5: every other applicable strategy is reported beside the leader (outranked ones too)
    assert a.strategy.id == "agent_protocol" and [s.id for s in a.strategy.also] == ["care", "routine"]
    say = [(line.situation, line.id) for line in a.script.say]
    assert say == [("opening", "open_neutral"), ("question", "ask_who_acts"), ("question", "ask_what_matters"),
                   ("anchor", "anchor_cash_value"), ("closing", "close_date")]
    anchor = a.script.say[3].text
    assert anchor.zh == "按合同，退保可得现金价值30,000元。" and "30,000" in anchor.en
    assert a.script.say[-1].text.zh == f"我们会在{a.escalation.respond_by.isoformat()}前书面答复。"
    forbidden = [t.zh for t in mini_engine.ruleset.knowledge.taboos["stability_money"].never_say]
    assert [x.text.zh for x in a.script.avoid] == forbidden
    assert not any(f in line.text.zh for f in forbidden for line in a.script.say)


def test_phrase_with_unknown_placeholder_is_left_out(mini_engine):
    a = mini_engine.assess(base_case())
    assert "anchor_cash_value" not in [line.id for line in a.script.say]
    assert a.profile.nature.id == "good_faith" and a.profile.expectation_gap is None


def test_markdown_and_html_reports(mini_engine):
    a = mini_engine.assess(base_case(id="<script>x</script>", signals=["threatens_media"], history={"days_open": 12},
                                     narrative="客户说要找媒体"))
    md = render_markdown(a)
    assert md.startswith("# 投诉风险评估 — &lt;script&gt;x&lt;/script&gt;")   # raw HTML from a case never passes through
    assert "| 空间 | 15 |" in md and "## 处置策略" in md and "`MEDIA-LONG`" in md
    html = render_html(a, "en")
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
    assert "<svg" in html and re.search(r'<rect x="90" y="\d+" width="30"', html)  # space 15 -> 30 px
    assert "Reasoning" in html and "MEDIA-ESCALATE" in html


def test_interview_asks_by_impact_and_stops(mini_engine):
    answers = iter(["I-1", "2025-03-20", "insurance", "hotline", "claim_denial", "y", "compensation", "yes"])
    asked: list[str] = []
    said: list[str] = []

    def ask(q):
        asked.append(q)
        return next(answers)
    data, result = run_interview(mini_engine, {}, ask, said.append, lang="en")
    assert asked[5].startswith("What exactly is the customer asking for")
    assert any("expected one of full_refund" in s for s in said)  # "y" was not a demand type: asked again
    assert asked[7].startswith("Is there a written arbitration clause")
    assert data["demand"] == {"type": "compensation"} and data["arbitration_agreement"] is True
    assert [c.id for c in result.channels] == ["internal", "arbitration"]
    assert said[-1].strip().startswith("✓")
    assert len(asked) == 8


def test_interview_cli_writes_the_case(tmp_path):
    out = tmp_path / "built.yaml"
    res = CliRunner().invoke(main, ["interview", "--out", str(out), "--lang", "en", *MINI_ARGS],
                             input="I-2\n2025-03-20\nbanking\napp\nother\nskip\n\n")
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert "id: I-2" in text and "industry: banking" in text
    assert "wrote" in res.stdout


@pytest.mark.parametrize("fmt", ["markdown", "html", "text", "json"])
def test_assess_cli_formats(tmp_path, fmt):
    path = tmp_path / "c.yaml"
    path.write_text("id: F-1\nreceived: 2025-03-20\nindustry: insurance\nchannel: hotline\ncategory: other\n",
                    encoding="utf-8")
    res = CliRunner().invoke(main, ["assess", str(path), "--format", fmt, *MINI_ARGS])
    assert res.exit_code == 0 and "F-1" in res.stdout
