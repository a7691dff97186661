"""Every snippet module runs as a standalone script (its examples assert themselves)."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p for p in (ROOT / "snippets").rglob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_snippet_runs_as_a_script(script, tmp_path):
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "2",
                                              "TF_ENABLE_ONEDNN_OPTS": "0", "MPLBACKEND": "Agg", "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr[-3000:]
