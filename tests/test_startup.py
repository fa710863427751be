"""What start-up leaves out: `riskengine assess` must not pay for what it does not use (the service's web
stack, spreadsheets, templates), and an engine reads no narrative it is not given. Behaviour, not timing:
the cold start itself is measured by hand in bench/ (bench/README.md)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# Heavy modules only some commands need: serve (fastapi, starlette, uvicorn, prometheus_client), table
# (openpyxl), the web page and report templates (jinja2).
NOT_FOR_ASSESS = ("fastapi", "starlette", "uvicorn", "prometheus_client", "openpyxl", "jinja2", "riskengine.serve")
PROBE = """
import json, sys
{body}
print(json.dumps(sorted(m for m in {mods!r} if m in sys.modules)))
"""


def _imported(body: str, tmp_path: Path) -> list[str]:
    code = PROBE.format(body=body, mods=NOT_FOR_ASSESS + ("experta",))
    env = {"RISKENGINE_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_command_line_imports_no_heavy_module(tmp_path):
    assert _imported("import riskengine.cli.group, riskengine.cli", tmp_path) == []


def test_assess_imports_neither_the_service_nor_spreadsheets_nor_templates(tmp_path):
    body = ("from riskengine.cli.group import main\n"
            "try:\n"
            "    main(['assess', 'examples/arbitration.yaml', '--format', 'json', '--engine', 'compiled'],"
            " standalone_mode=False)\n"
            "except SystemExit:\n"
            "    pass\n"
            "print()")
    # the compiled engine needs no experta either
    assert _imported(body, tmp_path) == []


def test_an_engine_builds_its_narrative_reader_only_for_a_narrative(engine, monkeypatch):
    """The concept lexicons cost more to build than the rest of the engine: a case without a narrative
    (and a command that reads none) never builds them."""
    import riskengine.engine as engine_module
    from riskengine.engine import Engine

    built = []
    real = engine_module.NarrativeScanner

    def counting(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine_module, "NarrativeScanner", counting)
    fresh = Engine(engine.ruleset)
    raw = yaml.safe_load((ROOT / "examples" / "arbitration.yaml").read_text(encoding="utf-8"))
    quiet = {k: v for k, v in raw.items() if k != "narrative"}
    fresh.assess(quiet, engine="compiled")
    fresh.summarise(quiet, engine="compiled")
    assert built == []
    told = fresh.assess(raw, engine="compiled")
    assert built == [1] and told.signals.from_narrative
    fresh.assess(raw, engine="compiled")
    assert built == [1]          # built once, then kept
    assert told.to_json() == engine.assess(raw, engine="compiled").to_json()
