"""The page's modules that need no DOM (web/ui/store.mjs, ...), tested with Node's test runner."""

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_page_module_tests_pass_in_node() -> None:
    node = shutil.which("node")
    assert node, "Node.js is needed to test the page's modules"
    tests = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "web").glob("*.test.mjs"))
    assert tests, "no *.test.mjs files in tests/web"
    run = subprocess.run([node, "--test", *tests], cwd=ROOT, capture_output=True, text=True, timeout=120)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    passed = re.search(r"^# pass (\d+)$", output, re.MULTILINE)
    failed = re.search(r"^# fail (\d+)$", output, re.MULTILINE)
    assert passed and int(passed.group(1)) >= 10, output[-3000:]
    assert failed and int(failed.group(1)) == 0, output[-3000:]
