"""`zhijian ingest` of a folder of bad files, as an operator runs it: Chinese lines only, no library chatter."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from evals.pdfgen import bad


def test_bad_files_get_chinese_lines_and_no_english_log_output(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "ok.md").write_text("---\ncode: ZJ/T 905-2025\ntitle: 命令行消息测试\n---\n3.0.1 示例条文。\n", "utf-8")
    (src / "unsafe.yaml").write_text("a: !!python/object:os.system x\n", "utf-8")
    (src / "broken.yaml").write_text("x: [1, 2\n", "utf-8")
    bad.write_random_bytes(src / "random.pdf")
    bad.write_zero_byte(src / "empty.pdf")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIJIAN_")}
    env["ZHIJIAN_DATA_DIR"] = str(tmp_path / "var")
    proc = subprocess.run([sys.executable, "-c", "from assistant.cli import main; main()", "ingest", "-q", str(src)],
                          env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1  # some files failed
    assert "新增 ZJ/T 905-2025" in out
    for name in ("unsafe.yaml", "broken.yaml", "random.pdf", "empty.pdf"):
        line = next(ln for ln in out.splitlines() if name in ln)
        assert line.startswith("✘") and re.search(r"[\u4e00-\u9fff]", line), line
        assert not re.search(r"(Error|Exception)\b", line), line
    assert not re.search(r"\b(DEBUG|INFO|WARNING|Traceback)\b", out), out
    assert "pypdf" not in out and "bm25s" not in out

