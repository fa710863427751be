"""`riskengine eval` writes the same report whatever the process's string-hash seed: misses and false
hits are listed in item order, then signal order (they followed set iteration order before)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_eval_json_is_byte_identical_across_hash_seeds(tmp_path):
    for name in ("en_online_post.yaml", "zh_online_post.yaml", "en_mixed.yaml"):
        shutil.copy(ROOT / "tests" / "narratives" / name, tmp_path / name)
    outputs = []
    for seed in ("1", "2", "3"):
        done = subprocess.run([sys.executable, "-c", "from riskengine.cli.group import run; run()", "eval",
                               str(tmp_path), "--format", "json"], capture_output=True,
                              env=dict(os.environ, PYTHONHASHSEED=seed), cwd=ROOT, timeout=120)
        assert done.returncode in (0, 1), done.stderr
        outputs.append(done.stdout)
    assert outputs[0] and outputs[0] == outputs[1] == outputs[2]
