"""scripts/start.sh opens the dashboard whatever the refresh's exit code, after printing what is loaded and missing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def fake_checkout(tmp_path: Path, refresh_exit: int) -> Path:
    """scripts/start.sh beside a no-op install.sh and a .venv whose python and streamlit only report their calls."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "start.sh", tmp_path / "scripts" / "start.sh")
    (tmp_path / "scripts" / "install.sh").write_text("exit 0\n")
    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").write_text(
        "#!/usr/bin/env bash\n"
        'echo "python $*"\n'
        f'if [ "$3" = refresh ]; then exit {refresh_exit}; fi\n'
        'if [ "$3" = status ]; then echo "Missing:"; echo "Pages with nothing to show: Hiring (no Census QWI)"; fi\n'
    )
    (venv / "streamlit").write_text('#!/usr/bin/env bash\necho "dashboard opened: $*"\n')
    for exe in venv.iterdir():
        exe.chmod(0o755)
    return tmp_path / "scripts" / "start.sh"


@pytest.mark.parametrize("refresh_exit", [0, 1, 3])
def test_the_dashboard_opens_after_the_summary_whatever_the_refresh_returned(tmp_path, refresh_exit):
    script = fake_checkout(tmp_path, refresh_exit)
    result = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=60, check=False)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert f"refresh exit code {refresh_exit}" in out
    assert out.index("python -m data_pipeline status") < out.index("dashboard opened: run app.py")
    assert "Pages with nothing to show" in out


def test_a_refresh_written_to_a_log_draws_no_progress_bars(tmp_path):
    script = fake_checkout(tmp_path, 0)
    result = subprocess.run(["bash", str(script), "--sources", "ep"], capture_output=True, text=True, timeout=60,
                            check=False)
    assert "python -m data_pipeline refresh --quiet --sources ep" in result.stdout
