"""The editor set-ups the README gives, run in the editor itself: the Neovim snippet, in a headless Neovim
(Debian's 0.7 is the oldest the README promises), opens a template and gets pullcheck's diagnostics from
the language server. Slow (an editor and a server start), and skipped without nvim."""
import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest
from conftest import FIXTURES, ROOT

pytest.importorskip("pygls")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("nvim") is None, reason="nvim is not installed")]

# after the README's snippet: wait for the diagnostics of the file opened, write them out, and leave (Neovim
# stops the server: shutdown, then exit)
PROBE = textwrap.dedent("""
    vim.api.nvim_create_autocmd("VimEnter", { callback = function()
      local ok = vim.wait(60000, function() return #vim.diagnostic.get(0) > 0 end, 100)
      local out = {}
      for _, d in ipairs(vim.diagnostic.get(0)) do
        table.insert(out, string.format("%d:%d:%s", d.lnum + 1, d.col + 1, tostring(d.code or d.message)))
      end
      vim.fn.writefile(ok and out or { "timed out" }, vim.env.PULLCHECK_PROBE_OUT)
      vim.cmd("qa!")
    end })
""")


def _readme_snippet():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("- Neovim"):]
    return textwrap.dedent(re.search(r"```lua\n(.*?)```", section, re.S).group(1))


def test_the_readme_neovim_snippet_gets_diagnostics(tmp_path):
    init = tmp_path / "init.lua"
    init.write_text(_readme_snippet() + PROBE, encoding="utf-8")
    shutil.copy(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml"), tmp_path / "service.yaml")
    out = tmp_path / "diagnostics.txt"
    env = dict(os.environ, PULLCHECK_PROBE_OUT=str(out), XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    r = subprocess.run(["nvim", "--headless", "-i", "NONE", "-u", str(init), "service.yaml"], cwd=str(tmp_path),
                       env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout + r.stderr
    assert out.read_text().splitlines() == ["53:15:NET001"], r.stdout + r.stderr
