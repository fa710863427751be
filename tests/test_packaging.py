"""The built wheel carries the shipped rules, knowledge and examples, and works from any directory."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("uv")


def _uv(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "uv", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_wheel_installs_and_assesses_from_another_directory(tmp_path):
    built = _uv("build", "--wheel", "-o", str(tmp_path / "dist"), str(ROOT))
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("riskengine-*.whl"))
    venv = tmp_path / "venv"
    assert _uv("venv", "-q", str(venv)).returncode == 0
    overrides = tmp_path / "overrides.txt"
    overrides.write_text("frozendict>=2.4\nschema>=0.7\n", encoding="utf-8")
    python = venv / "bin" / "python"
    installed = _uv("pip", "install", "-q", "--python", str(python), "--override", str(overrides), str(wheel))
    assert installed.returncode == 0, installed.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    case = elsewhere / "case.yaml"
    case.write_text("id: W-1\nreceived: 2025-03-02\nindustry: banking\nchannel: app\ncategory: fees_charges\n",
                    encoding="utf-8")
    run = subprocess.run([str(venv / "bin" / "riskengine"), "assess", "case.yaml", "--format", "json"],
                         cwd=elsewhere, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["case_id"] == "W-1" and result["ruleset"]["rules"] > 0
    # Same shipped files, same content hash as in the source tree.
    from riskengine import load_ruleset
    assert result["ruleset"]["version"] == load_ruleset().version
