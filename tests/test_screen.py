"""The first screen of `riskengine assess` (text): short, in the handler's order, in words, plain when piped."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from riskengine.io.casefile import read_case_file
from riskengine.cli import main
from riskengine.render.screen import display_width, render_screen, signal_names, wrap
from riskengine.render.screen_model import first_screen, ranked_taboos

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml"))
# What must not reach a reader who did not ask for --ids: snake_case ids and raw values, rule and
# legal-basis ids (ESC-4-…, CBIRC-2020-3-ART-13), untranslated enum words, and sentence joins like "。；".
RAW = {"zh": re.compile(r"[a-z]+_[a-z_]+|\b[A-Z]{2,}[A-Z0-9]*(?:-[A-Z0-9]+)+\b|\b(?:calendar|working)\b"
                        r"|\((?:low|medium|high|critical)\)|。；|signal:|finding:"),
       "en": re.compile(r"[a-z]+_[a-z_]+|\b[A-Z]{2,}[A-Z0-9]*(?:-[A-Z0-9]+)+\b|\d (?:calendar|working)\b(?![ -]days?)"
                        r"|\((?:low|medium|high|critical)\)|\.; |signal:|finding:")}
ORDER = {"zh": ["风险：", "谁来处理、何时完成", "下一步：", "怎么说", "切勿说：", "建议渠道："],
         "en": ["Risk: ", "Who acts, by when", "Next: ", "What to say", "Never say: ", "Channel: "]}


@pytest.fixture(scope="module")
def assessed(engine):
    out = []
    for path in EXAMPLES:
        raw = read_case_file(path)
        out.append((path.name, engine.assess(engine.parse_case(raw, str(path)), missing_facts=True)))
    return out


@pytest.mark.parametrize("lang, most", [("zh", 30), ("en", 32)])
def test_first_screen_fits_about_thirty_lines_on_every_shipped_example(assessed, lang, most):
    for name, a in assessed:
        text = render_screen(a, lang)
        assert text.count("\n") <= most, (name, lang, text)
        # the full plan, all taboos and the reasoning are not on the first screen
        assert len(a.explanation) > 10 and a.explanation[-1].rule not in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sections_come_in_the_handlers_order(assessed, lang):
    for name, a in assessed:
        lines = render_screen(a, lang).splitlines()
        starts = [next(i for i, line in enumerate(lines) if line.startswith(h)) for h in ORDER[lang]
                  if any(line.startswith(h) for line in lines)]
        assert starts == sorted(starts), (name, lang)
        assert len(starts) >= 5, (name, lang)
        alerts = [i for i, line in enumerate(lines) if line.startswith("  ! ")]
        assert all(i < starts[0] for i in alerts), name


def test_alerts_name_what_changes_everything(assessed):
    by_name = dict(assessed)
    kinds = lambda f: [i.key for s in first_screen(by_name[f], "en") if s.key == "alerts" for i in s.items]  # noqa
    assert kinds("self_harm_illness.yaml")[0] == "safety"
    assert {"group", "media"} <= set(kinds("group_media.yaml"))
    assert "agent" in kinds("surrender_agent.yaml")
    assert kinds("routine_service.yaml") == []


def test_never_say_is_the_three_most_severe_and_relevant(assessed):
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    for name, a in assessed:
        ranked = ranked_taboos(a)
        keys = [(rank[x.severity], -len(x.rules)) for x in ranked]
        assert keys == sorted(keys), name
        never = [s for s in first_screen(a, "zh") if s.key == "never"]
        if a.taboos:
            assert [i.text for i in never[0].items] == [x.name.zh for x in ranked[:3]], name


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_ids_or_raw_values_without_ids(assessed, engine, lang):
    names = signal_names(engine)
    for name, a in assessed:
        text = render_screen(a, lang, detail=True, names=names).replace(a.case_id, "")
        text = re.sub(r"\n\s+", " ", text)       # a wrapped line reads on
        found = sorted({m.group(0) for m in RAW[lang].finditer(text)})
        assert not found, (name, lang, found)


def test_ids_appear_when_asked(assessed):
    name, a = assessed[0]
    text = render_screen(a, "zh", detail=True, ids=True)
    assert a.explanation[0].rule in text and (a.strategy is None or a.strategy.rules[0] in text)


def test_piped_output_is_plain_and_a_terminal_gets_colour(assessed):
    result = CliRunner().invoke(main, ["assess", str(EXAMPLES[0]), "--format", "text"])
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.output
    assert result.output.count("\n") <= 30
    assert "\x1b[" in render_screen(assessed[0][1], "zh", colour=True)


def test_detail_adds_the_rest_under_the_first_screen():
    runner = CliRunner()
    short = runner.invoke(main, ["assess", str(EXAMPLES[0]), "--format", "text", "--lang", "en"]).output
    long = runner.invoke(main, ["assess", str(EXAMPLES[0]), "--format", "text", "--lang", "en", "--detail"]).output
    assert "Reasoning" in long and "Legal bases" in long and "Reasoning" not in short
    assert long.count("\n") > short.count("\n") + 20


def test_wrapping_counts_a_chinese_character_as_two_columns():
    text = "客户情绪激动，" * 20 + "and some English words that wrap at spaces"
    lines = wrap(text, 40, "  ")
    assert len(lines) > 5
    assert all(display_width(line) <= 42 for line in lines)       # a closing comma may hang past the edge
    assert "".join(x.strip() for x in lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line.lstrip().startswith("，") for line in lines)


def test_the_printed_report_follows_the_same_order(assessed):
    from riskengine.render.report import render_html, render_markdown
    by_name = dict(assessed)
    a = by_name["group_media.yaml"]
    html = render_html(a, "zh")
    marks = ['class="alert"', 'class="risk"', "谁来处理、何时完成", "处置策略", "沟通话术", "本案禁忌", "纠纷化解渠道",
             "推理过程"]
    at = [html.index(m) for m in marks]
    assert at == sorted(at)
    assert html.index('class="level"') < html.index("<svg") < html.index('class="reasons"')  # badge with its gauge
    md = render_markdown(a, "en")
    at = [md.index(m) for m in ("> **⚠", "**Risk:", "## Who acts", "## Strategy", "## What to say",
                                "## Taboos", "## Dispute-resolution", "### Reasoning")]
    assert at == sorted(at)


def test_a_safety_crisis_opens_the_first_screen(assessed):
    """The advice's finding `safety_crisis` must raise the safety alert first, in both languages."""
    for name, a in assessed:
        if "safety_crisis" in a.findings:
            assert render_screen(a, "zh").splitlines()[0].strip().startswith("! 人身安全风险")
            assert render_screen(a, "en").splitlines()[0].strip().startswith("! Safety risk")
            break
    else:
        raise AssertionError("no shipped example raises safety_crisis")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_detail_lists_every_dated_duty_the_first_screen_leaves_off(lang):
    """`assess --detail` shows each clock and legal duty of escalation.actions (the JSON's), with its state;
    the first screen keeps only the open, dated ones."""
    import json

    runner = CliRunner()
    case = str(next(p for p in EXAMPLES if p.name == "arbitration.yaml"))
    args = ["assess", case, "--lang", lang, "--as-of", "2025-07-20"]
    actions = json.loads(runner.invoke(main, args + ["--format", "json"]).output)["escalation"]["actions"]
    short = runner.invoke(main, args + ["--format", "text"]).output
    long = re.sub(r"\n\s+", " ", runner.invoke(main, args + ["--format", "text", "--detail"]).output)
    title = "全部时限与法定义务" if lang == "zh" else "Every clock and legal duty"
    assert title in long and title not in short
    duties = long.split(title, 1)[1]
    left_off = [x for x in actions if x["name"][lang] not in short]
    assert left_off, "the example no longer has a duty that the first screen leaves off"
    for x in actions:
        assert x["name"][lang] in duties, x["id"]
    overdue = [x for x in actions if x["status"] == "overdue"]
    assert overdue and all(x["step"][lang][:12] in duties for x in overdue if x["step"])
    words = "尚未起算" if lang == "zh" else "not started"
    assert duties.count(words) == sum(x["status"] == "not_started" for x in actions)
