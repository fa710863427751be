"""Hostile input (issue 15): every command that reads untrusted data answers each malformed, huge,
impossible or malicious input (tests/hostile/inputs.py) with a located one-line error and a non-zero
exit, within bounded time, without a traceback, and loses no other record."""
from __future__ import annotations

import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from hostile.inputs import GOOD, ROOT, Hostile, all_inputs, json_case
from riskengine.cli.group import main

INPUTS = all_inputs()
FORGED = "error: everything is fine"


def test_the_kit_is_wide_enough():
    assert len(INPUTS) >= 150
    assert {h.kind for h in INPUTS} >= {"dates", "numbers", "sizes", "nesting", "echo", "types", "syntax",
                                        "commands", "outputs", "rule-tests", "knowledge", "rules", "logs", "batch"}


@pytest.fixture(scope="module")
def good_record(tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp("log")
    (d / "c.json").write_text(json_case(id="LOGGED"), encoding="utf-8")
    result = CliRunner().invoke(main, ["assess", str(d / "c.json"), "--engine", "compiled", "--log",
                                       str(d / "log.jsonl")])
    assert result.exit_code == 0, result.output
    return json.loads((d / "log.jsonl").read_text(encoding="utf-8"))


def _tampered(name: str, good: dict) -> str:
    rec = json.loads(json.dumps(good))
    if name == "null-risk":
        rec["output"]["risk"] = None
    elif name == "string-output":
        rec["output"] = "high"
    elif name == "channel-without-id":
        rec["output"]["channels"] = [{"name": "x"}]
    elif name == "truncated":
        return json.dumps(rec, ensure_ascii=False)[:-40]
    elif name == "fired-not-list":
        rec["fired_rules"] = "A,B"
    elif name == "input-string":
        rec["input"] = "case"
    elif name == "nan":
        return json.dumps(rec).replace('"score": ', '"score": NaN, "x": ', 1)
    elif name == "huge-int":
        return json.dumps(rec).replace('"score": ', '"score": ' + "9" * 5000 + ', "x": ', 1)
    elif name == "case-id-newline":
        rec["case_id"] = "A\n" + FORGED
        rec["input"]["received"] = "2024-02-30"
    else:
        return name
    return json.dumps(rec, ensure_ascii=False)


def _prepare(h: Hostile, d: Path, good: dict) -> list[str]:
    for name, content in h.files.items():
        if name == "tamper":
            good_line = json.dumps(good, ensure_ascii=False)
            (d / "log.jsonl").write_text("\n".join([good_line, _tampered(content, good), good_line]) + "\n",
                                         encoding="utf-8")
            continue
        p = d / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8", errors="surrogatepass")
    if "{d}/knowledge" in " ".join(h.args):
        shutil.copytree(ROOT / "knowledge", d / "knowledge")
        shutil.copytree(ROOT / "rules", d / "rules")
        for file, (old, new) in h.knowledge.items():
            text = (d / "knowledge" / file).read_text(encoding="utf-8")
            assert old in text, (file, old)
            (d / "knowledge" / file).write_text(text.replace(old, new, 1), encoding="utf-8")
        for file, text in h.rules.items():
            (d / "rules" / file).write_text(text, encoding="utf-8")
    return [a.replace("{d}", str(d)) for a in h.args]


class _Hang(Exception):
    pass


def _run(args: list[str]):
    def alarm(*_):
        raise _Hang(f"no answer within 60 s: {args[:3]}")
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(60)
    try:
        return CliRunner().invoke(main, args)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("h", INPUTS, ids=lambda h: h.name)
def test_hostile_input_gets_a_located_one_line_error(h: Hostile, tmp_path: Path, good_record):
    result = _run(_prepare(h, tmp_path, good_record))
    out, err = result.stdout, result.stderr
    everything = out + err
    assert not isinstance(result.exception, _Hang), result.exception
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in everything
    assert result.exit_code == h.exit, everything[-2000:]
    assert not any(line.startswith(FORGED) or line.startswith("FAIL forged") for line in everything.splitlines())
    if result.exit_code == 0 and "json" in h.args:   # strict JSON: no NaN or Infinity
        json.loads(out, parse_constant=_refuse)
    if h.where:
        lines = [line for line in everything.splitlines() if all(w in line for w in h.where)]
        assert lines, f"no line names {h.where}:\n{everything[-2000:]}"
        assert all(len(line) < 3000 for line in lines)
    if h.args[0] in ("assess", "explain", "interview") and h.exit == 1:
        assert len([line for line in err.splitlines() if line.strip()]) == (h.lines or 1), err
    if h.kind == "rule-tests":   # the good tests on either side of the broken one are still run and reported
        assert "PASS" in out and out.count("PASS") == sum(1 for a in h.args if "good" in a), out
        assert "1 failed" in out
    if h.args[0] == "replay":   # both good lines are replayed; the bad one is listed with its line
        assert "3 decisions replayed" in out, out
        assert "log.jsonl:1" not in everything and "log.jsonl:3" not in everything
    if h.good_ids:
        _check_batch(h, tmp_path)


def _refuse(name):
    raise ValueError(f"{name} in JSON output")


def _check_batch(h: Hostile, d: Path) -> None:
    out_name = h.args[h.args.index("--out") + 1].replace("{d}/", "")
    out_path = d / out_name
    if out_name.endswith(".csv"):
        with open(out_path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        ids = [r["case_id"] for r in rows]
        for cell in (c for r in rows for c in r.values()):
            assert not cell.startswith(("=", "+", "@", "\t", "\r")) and not (
                cell.startswith("-") and not _is_number(cell)), cell
        want = ["'" + i if i.startswith(("=", "+", "-", "@")) else i for i in h.good_ids]
    else:
        ids = [json.loads(line)["case_id"] for line in out_path.read_text(encoding="utf-8").splitlines()]
        want = list(h.good_ids)
    assert sorted(ids) == sorted(want) and len(ids) == len(set(ids))
    errors = [json.loads(line) for line in Path(str(out_path) + ".errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(e["line"] for e in errors) == sorted(h.bad_lines)
    assert all("\n" not in e["message"] and len(e["message"]) < 3000 and e["code"].startswith("RE") for e in errors)


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def test_hostile_json_never_reaches_a_log_or_output(tmp_path: Path):
    """Strict JSON everywhere: what is written parses with a parser that refuses NaN and Infinity."""
    case = dict(GOOD, demand={"type": "compensation", "amount": 5000}, amount_in_dispute=0)
    (tmp_path / "c.json").write_text(json.dumps(case), encoding="utf-8")
    result = _run(["assess", str(tmp_path / "c.json"), "--engine", "compiled", "--format", "json", "--log",
                   str(tmp_path / "log.jsonl")])
    assert result.exit_code == 0, result.output

    def refuse(name):
        raise ValueError(name)
    json.loads(result.stdout, parse_constant=refuse)
    json.loads((tmp_path / "log.jsonl").read_text(encoding="utf-8"), parse_constant=refuse)


def test_markdown_and_html_reports_escape_raw_html_from_the_case(tmp_path: Path):
    case = dict(GOOD, id="<script>alert(1)</script>", product="<img src=x onerror=alert(1)>")
    (tmp_path / "c.json").write_text(json.dumps(case), encoding="utf-8")
    for fmt in ("markdown", "html"):
        result = _run(["assess", str(tmp_path / "c.json"), "--engine", "compiled", "--format", fmt])
        assert result.exit_code == 0, result.output
        assert "<script>" not in result.stdout and "<img" not in result.stdout
        assert "&lt;script&gt;" in result.stdout


# -- kill test ----------------------------------------------------------------------------------------
def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from riskengine.cli.group import run; run()", *args]


def _rows(path: Path) -> int:
    """Lines written so far (0 before the file exists)."""
    try:
        with open(path, "rb") as fh:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 16), b""))
    except FileNotFoundError:
        return 0


def test_batch_killed_at_random_points_and_resumed_writes_every_record_once(tmp_path: Path):
    n = 10_000
    bad = set(range(7, n, 997))   # some records are bad: they go to the errors file, once each
    lines = []
    for i in range(n):
        lines.append(json_case(id=f"K{i}", received="2024-02-30") if i in bad else json_case(id=f"K{i}"))
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    rng = random.Random(15)
    env = dict(os.environ, PYTHONHASHSEED="0")
    kills = 0
    for attempt in range(4):
        args = ["batch", str(tmp_path / "in.jsonl"), "--out", str(out)] + (["--resume"] if attempt else [])
        # Cut the run at a random point of its progress (not after a fixed time, which a faster batch
        # outruns): once the output holds a few hundred to two thousand more rows than before.
        target = _rows(out) + rng.randint(300, 2000)
        proc = subprocess.Popen(_cli(*args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 120
        while proc.poll() is None and _rows(out) < target and time.monotonic() < deadline:
            time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    done = subprocess.run(_cli("batch", str(tmp_path / "in.jsonl"), "--out", str(out), "--resume"),
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert kills >= 2   # the run really was cut several times
    with open(out, encoding="utf-8", newline="") as fh:
        ids = [row["case_id"] for row in csv.DictReader(fh)]
    errors = [json.loads(line) for line in Path(str(out) + ".errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(ids) == len(set(ids)) and len(errors) == len({e["line"] for e in errors})
    assert set(ids) == {f"K{i}" for i in range(n) if i not in bad}
    assert {e["line"] for e in errors} == {i + 1 for i in bad}
