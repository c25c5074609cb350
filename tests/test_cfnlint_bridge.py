"""pullcheck's rules run inside cfn-lint with one flag, at the same lines."""
import os
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT

CFN_LINT = shutil.which("cfn-lint") or os.path.join(os.path.dirname(sys.executable), "cfn-lint")


@pytest.mark.skipif(not os.path.exists(CFN_LINT), reason="cfn-lint is not installed")
def test_append_rules():
    files = [os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml"),
             os.path.join(FIXTURES, "NET012", "bad_peering_only.yaml"),
             os.path.join(FIXTURES, "NET001", "good_assign_public_ip_enabled.yaml")]
    r = subprocess.run([CFN_LINT, "--append-rules", "pullcheck.cfnlint_plugin", "--format", "parseable", "--", *files],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    ours = [line for line in r.stdout.splitlines() if ":E9901:" in line or ":W9901:" in line]
    assert len(ours) == 2, r.stdout + r.stderr
    assert ours[0].startswith(f"{files[0]}:53:15:") and ":E9901:NET001 Service runs on Fargate" in ours[0]
    assert ours[1].startswith(f"{files[1]}:21:7:") and ":W9901:NET012 " in ours[1]
    assert r.returncode != 0
