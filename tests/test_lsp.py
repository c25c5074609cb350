"""The language server, spoken to over stdio as an editor would: initialize, didOpen, didChange,
publishDiagnostics, shutdown, exit."""
import json
import os
import subprocess
import sys
import threading

import pytest
import yaml
from conftest import FIXTURES

pytest.importorskip("pygls")


class Client:
    def __init__(self, cwd, *args):
        self.proc = subprocess.Popen([sys.executable, "-m", "pullcheck", "lsp", *args], cwd=cwd,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.next_id = 0
        # what the server says on standard error is read as it comes: a full pipe would stop the server
        self.errors = []
        self.reader = threading.Thread(target=lambda: self.errors.extend(self.proc.stderr), daemon=True)
        self.reader.start()

    def ended(self, timeout=60):
        """The exit code once the server has ended (the timeout only stops a hang) and what it wrote on
        standard error, read to its end."""
        code = self.proc.wait(timeout=timeout)
        self.reader.join(timeout)
        return code, b"".join(self.errors)

    def send(self, method, params, request=False):
        msg = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            msg["id"] = self.next_id
        body = json.dumps(msg).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return msg.get("id")

    def read(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            assert line, "server closed its output: " + b"".join(self.errors).decode()
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self.proc.stdout.read(length))

    def wait_for(self, predicate):
        while True:
            msg = self.read()
            if predicate(msg):
                return msg

    def diagnostics(self, uri):
        msg = self.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == uri)
        return msg["params"]["diagnostics"]


@pytest.fixture
def client(tmp_path):
    c = Client(str(tmp_path))
    yield c
    if c.proc.poll() is None:
        c.proc.kill()


def _uri(path):
    return "file://" + str(path)


def test_conversation(client, tmp_path):
    stack = tmp_path / "service.yaml"
    bad = open(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml"), encoding="utf-8").read()
    stack.write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n")  # the disk is not what is linted
    rid = client.send("initialize", {"processId": None, "rootUri": _uri(tmp_path), "capabilities": {}}, request=True)
    init = client.wait_for(lambda m: m.get("id") == rid)
    assert init["result"]["serverInfo"]["name"] == "pullcheck"
    client.send("initialized", {})

    client.send("textDocument/didOpen", {"textDocument": {"uri": _uri(stack), "languageId": "yaml", "version": 1,
                                                          "text": bad}})
    diags = client.diagnostics(_uri(stack))
    assert [(d["code"], d["range"]["start"]) for d in diags] == [("NET001", {"line": 52, "character": 14})]
    assert diags[0]["severity"] == 1 and diags[0]["source"] == "pullcheck"
    assert diags[0]["range"]["end"] == {"line": 52, "character": 31}  # the subnet item `!Ref PublicSubnet`

    fixed = bad.replace("    Properties:\n      LaunchType: FARGATE",
                        "    Properties:\n      LaunchType: FARGATE\n      PlatformVersion: LATEST")
    fixed = fixed.replace("        AwsvpcConfiguration:\n", "        AwsvpcConfiguration:\n          AssignPublicIp: ENABLED\n")
    client.send("textDocument/didChange", {"textDocument": {"uri": _uri(stack), "version": 2},
                                           "contentChanges": [{"text": fixed}]})
    assert client.diagnostics(_uri(stack)) == []

    # a Terraform file is linted with its folder: the service in main.tf uses the subnet from network.tf
    folder = tmp_path / "tf"
    folder.mkdir()
    tf = open(os.path.join(FIXTURES, "NET002", "bad_no_default_route", "main.tf"), encoding="utf-8").read()
    head, sep, tail = tf.partition('resource "aws_ecs_task_definition"')
    (folder / "network.tf").write_text(head)
    main = folder / "main.tf"
    main.write_text("")
    client.send("textDocument/didOpen", {"textDocument": {"uri": _uri(main), "languageId": "terraform", "version": 1,
                                                          "text": sep + tail}})
    diags = client.diagnostics(_uri(main))
    assert [d["code"] for d in diags] == ["NET002"]
    line = (sep + tail).splitlines()[diags[0]["range"]["start"]["line"]]
    assert "aws_subnet.private" in line

    client.send("textDocument/didSave", {"textDocument": {"uri": _uri(main)}})
    assert [d["code"] for d in client.diagnostics(_uri(main))] == ["NET002"]

    sid = client.send("shutdown", None, request=True)
    assert client.wait_for(lambda m: m.get("id") == sid)["result"] is None
    client.send("exit", None)
    assert client.ended() == (0, b"")


def _apply(text, edits):
    """LSP text edits applied to a document (positions in UTF-16 units; the test texts are ASCII)."""
    lines = text.splitlines(keepends=True)

    def offset(pos):
        return sum(len(x) for x in lines[:pos["line"]]) + pos["character"]

    for e in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        text = text[:offset(e["range"]["start"])] + e["newText"] + text[offset(e["range"]["end"]):]
    return text


# what an editor that takes versioned edits says it can do
VERSIONED = {"workspace": {"workspaceEdit": {"documentChanges": True}}}


def _edits(action, uri, version, versioned=True):
    """The text edits of a code action, which must address ``version`` of the document ``uri`` (a client
    without versioned edits gets plain ones, for the document only)."""
    if not versioned:
        assert "documentChanges" not in action["edit"] and list(action["edit"]["changes"]) == [uri], action
        return action["edit"]["changes"][uri]
    changes = action["edit"].get("documentChanges")
    assert changes is not None, f"unversioned edit: {action['edit']}"
    assert [(c["textDocument"]["uri"], c["textDocument"]["version"]) for c in changes] == [(uri, version)]
    return changes[0]["edits"]


def test_quick_fix_fix_all_and_hover(client, tmp_path):
    stack = tmp_path / "service.yaml"
    bad = open(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_disabled.yaml"), encoding="utf-8").read()
    stack.write_text(bad)
    rid = client.send("initialize", {"processId": None, "rootUri": _uri(tmp_path), "capabilities": VERSIONED},
                      request=True)
    caps = client.wait_for(lambda m: m.get("id") == rid)["result"]["capabilities"]
    assert caps.get("codeActionProvider") and caps.get("hoverProvider")
    client.send("initialized", {})
    client.send("textDocument/didOpen", {"textDocument": {"uri": _uri(stack), "languageId": "yaml", "version": 1,
                                                          "text": bad}})
    diags = client.diagnostics(_uri(stack))
    assert [d["code"] for d in diags] == ["NET001"] and diags[0]["data"]["fix"]["safe"] is True

    aid = client.send("textDocument/codeAction", {"textDocument": {"uri": _uri(stack)}, "range": diags[0]["range"],
                                                  "context": {"diagnostics": diags}}, request=True)
    actions = client.wait_for(lambda m: m.get("id") == aid)["result"]
    quick = [a for a in actions if a["kind"] == "quickfix"]
    assert len(quick) == 1 and quick[0]["isPreferred"] is True and "AssignPublicIp: ENABLED" in quick[0]["title"]
    assert any(a["kind"] == "source.fixAll.pullcheck" for a in actions)
    fixed = _apply(bad, _edits(quick[0], _uri(stack), 1))
    assert fixed == bad.replace("AssignPublicIp: DISABLED", "AssignPublicIp: ENABLED")

    hid = client.send("textDocument/hover", {"textDocument": {"uri": _uri(stack)},
                                             "position": diags[0]["range"]["start"]}, request=True)
    shown = client.wait_for(lambda m: m.get("id") == hid)["result"]["contents"]["value"]
    assert "NET001 public-subnet-without-public-ip" in shown and "pullcheck rule NET001" in shown

    client.send("textDocument/didChange", {"textDocument": {"uri": _uri(stack), "version": 2},
                                           "contentChanges": [{"text": fixed}]})
    assert client.diagnostics(_uri(stack)) == []
    sid = client.send("shutdown", None, request=True)
    client.wait_for(lambda m: m.get("id") == sid)
    client.send("exit", None)
    assert client.ended() == (0, b"")


def test_columns_are_utf16_code_units(tmp_path):
    from pullcheck.integrations.lsp import _utf16

    lines = ["a: '\U0001F600' x"]
    assert _utf16(lines, 0, 4) == 4 and _utf16(lines, 0, 5) == 6  # the emoji is two UTF-16 units


def test_a_burst_of_changes_ends_in_the_last_version_and_an_unsaved_file_is_linted(client, tmp_path):
    rid = client.send("initialize", {"processId": None, "rootUri": _uri(tmp_path), "capabilities": {}}, request=True)
    client.wait_for(lambda m: m.get("id") == rid)
    client.send("initialized", {})
    folder = tmp_path / "tf"
    folder.mkdir()
    tf = open(os.path.join(FIXTURES, "NET002", "bad_no_default_route", "main.tf"), encoding="utf-8").read()
    head, sep, tail = tf.partition('resource "aws_ecs_task_definition"')
    (folder / "network.tf").write_text(head)
    main = folder / "main.tf"  # never saved: the editor's buffer is all there is
    client.send("textDocument/didOpen", {"textDocument": {"uri": _uri(main), "languageId": "terraform", "version": 1,
                                                          "text": sep + tail}})
    assert [d["code"] for d in client.diagnostics(_uri(main))] == ["NET002"]
    good = (sep + tail).replace("launch_type     = \"FARGATE\"", "launch_type     = \"EC2\"")
    assert good != sep + tail
    for v in range(2, 12):  # typing: each change arrives before the last one is linted
        text = good if v == 11 else (sep + tail) + "\n" * v
        client.send("textDocument/didChange", {"textDocument": {"uri": _uri(main), "version": v},
                                               "contentChanges": [{"text": text}]})
    msg = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                          and m["params"].get("version") == 11)
    assert msg["params"]["diagnostics"] == []  # the last text, an EC2 service: nothing
    sid = client.send("shutdown", None, request=True)
    client.wait_for(lambda m: m.get("id") == sid)
    client.send("exit", None)
    assert client.ended() == (0, b"")


def _fixed_by_the_command(path, tmp_path):
    """The text ``--fix`` writes for a copy of the file ``path``."""
    import shutil

    from conftest import run_cli

    folder = tmp_path / "by-the-command"
    folder.mkdir(exist_ok=True)
    copy = folder / os.path.basename(path)
    shutil.copy(path, copy)
    run_cli("--no-config", "--fix", str(copy))
    return copy.read_text()


def test_fix_all_is_what_fix_applies(rules, tmp_path):
    """"Fix all safe" gives the text --fix writes: every safe fix, in as many passes as --fix takes (the six
    TD002 of a describe-task-definition output take two: the wrapper, then the keys inside it)."""
    import shutil

    from pullcheck.integrations.lsp import code_actions, diagnostics, fix_all, text_edits

    for name in ("TD002/bad_describe_output.json", "IMG002/bad_sub_repository_tag.yaml"):
        path = tmp_path / os.path.basename(name)
        shutil.copy(os.path.join(FIXTURES, name), path)
        text = path.read_text()
        after = fix_all(str(path), text, rules)
        assert after == _fixed_by_the_command(path, tmp_path) != text, name
        assert _apply(text, text_edits(text, after)) == after
        assert [d["code"] for d in diagnostics(str(path), after, rules) if d["code"] in ("TD002", "IMG002")] == []
        fix_all_actions = [a for a in code_actions(_uri(path), [], 3, text_edits(text, after))
                           if a["kind"] == "source.fixAll.pullcheck"]
        assert len(fix_all_actions) == 1 and _apply(text, _edits(fix_all_actions[0], _uri(path), 3)) == after
    assert fix_all(str(path), after, rules) is None  # nothing left to fix


def test_text_edits_touch_only_the_lines_that_change():
    from pullcheck.integrations.lsp import text_edits

    before = "a\nb\nc\nd"
    for after in ("a\nB\nc\nd", "a\nc\nd", "x\na\nb\nc\nd\n", "a\nb\nc\ne", "", "a\nb\nc\nd\ne\n",
                  "a\nb\u2028c\nd"):  # a line separator inside a value is no line break to the protocol
        edits = text_edits(before, after)
        assert _apply(before, edits) == after, (after, edits)
    assert text_edits(before, "a\nB\nc\nd") == [{"range": {"start": {"line": 1, "character": 0},
                                                          "end": {"line": 2, "character": 0}}, "newText": "B\n"}]


def test_fix_all_over_stdio_applies_every_safe_fix_in_one_edit(client, tmp_path):
    """The editor asks for the source.fixAll action of a describe-task-definition output (six TD002, each
    with a safe fix): one workspace edit for the version published makes the text --fix writes, and once it
    is applied no TD002 is left."""
    doc = tmp_path / "taskdef.json"
    src = os.path.join(FIXTURES, "TD002", "bad_describe_output.json")
    text = open(src, encoding="utf-8").read()
    doc.write_text(text)
    rid = client.send("initialize", {"processId": None, "rootUri": _uri(tmp_path), "capabilities": VERSIONED},
                      request=True)
    client.wait_for(lambda m: m.get("id") == rid)
    client.send("initialized", {})
    client.send("textDocument/didOpen", {"textDocument": {"uri": _uri(doc), "languageId": "json", "version": 1,
                                                          "text": text}})
    diags = client.diagnostics(_uri(doc))
    assert [d["code"] for d in diags] == ["TD002"] * 6 and all(d["data"]["fix"]["safe"] for d in diags)
    aid = client.send("textDocument/codeAction", {
        "textDocument": {"uri": _uri(doc)}, "range": {"start": {"line": 0, "character": 0},
                                                     "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": [], "only": ["source.fixAll"]}}, request=True)
    actions = client.wait_for(lambda m: m.get("id") == aid)["result"]
    assert [a["kind"] for a in actions] == ["source.fixAll.pullcheck"]
    fixed = _apply(text, _edits(actions[0], _uri(doc), 1))
    assert fixed == _fixed_by_the_command(src, tmp_path)
    client.send("textDocument/didChange", {"textDocument": {"uri": _uri(doc), "version": 2},
                                           "contentChanges": [{"text": fixed}]})
    assert [d["code"] for d in client.diagnostics(_uri(doc)) if d["code"] == "TD002"] == []
    sid = client.send("shutdown", None, request=True)
    client.wait_for(lambda m: m.get("id") == sid)
    client.send("exit", None)
    assert client.ended() == (0, b"")


@pytest.mark.parametrize("shutdown", [True, False])
def test_exit_right_after_a_change_is_at_once_and_quiet(client, tmp_path, shutdown):
    """An editor closing while a burst of changes waits to be linted: the pending lints are dropped and the
    one under way publishes nothing, so the server ends (the timeout only stops a hang) with nothing on
    standard error; 0 after shutdown, 1 on an exit without it, as the protocol says."""
    stack = tmp_path / "service.yaml"
    bad = open(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_absent.yaml"), encoding="utf-8").read()
    rid = client.send("initialize", {"processId": None, "rootUri": _uri(tmp_path), "capabilities": {}}, request=True)
    client.wait_for(lambda m: m.get("id") == rid)
    client.send("initialized", {})
    client.send("textDocument/didOpen", {"textDocument": {"uri": _uri(stack), "languageId": "yaml", "version": 1,
                                                          "text": bad}})
    assert [d["code"] for d in client.diagnostics(_uri(stack))] == ["NET001"]
    for v in range(2, 12):
        client.send("textDocument/didChange", {"textDocument": {"uri": _uri(stack), "version": v},
                                               "contentChanges": [{"text": bad + "\n" * v}]})
    if shutdown:
        sid = client.send("shutdown", None, request=True)
        client.wait_for(lambda m: m.get("id") == sid)
    client.send("exit", None)
    assert client.ended(timeout=30) == (0 if shutdown else 1, b"")


def _parses_and_is_clean(text, folder, rules):
    """The text is YAML still (tags allowed), and pullcheck finds nothing in it."""
    from pullcheck.engine.stages import lint

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    yaml.load(text, Loader=Loader)
    path = folder / "applied.yaml"
    path.write_text(text)
    return [(f.rule_id, f.line) for f in lint([str(path)], rules)]


@pytest.mark.parametrize("versioned", [True, False])
def test_edits_are_offered_only_for_the_text_they_were_made_for(client, tmp_path, rules, versioned):
    """Fix-on-save asks for the fix-all right after a change, before the change is linted: edits made for
    the older text would land three lines off. Each offered edit addresses the version it was made for and
    applies cleanly to it; a quick fix from an older publication is not offered."""
    stack = tmp_path / "service.yaml"
    uri = _uri(stack)
    bad = open(os.path.join(FIXTURES, "NET001", "bad_assign_public_ip_disabled.yaml"), encoding="utf-8").read()
    rid = client.send("initialize", {"processId": None, "rootUri": _uri(tmp_path),
                                     "capabilities": VERSIONED if versioned else {}}, request=True)
    client.wait_for(lambda m: m.get("id") == rid)
    client.send("initialized", {})
    client.send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                          "text": bad}})
    old = client.diagnostics(uri)
    assert [d["code"] for d in old] == ["NET001"]

    moved = "# owner: platform\n# reviewed\n# ---\n" + bad
    client.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                           "contentChanges": [{"text": moved}]})

    def ask(diags):
        aid = client.send("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": old[0]["range"],
                                                      "context": {"diagnostics": diags}}, request=True)
        return client.wait_for(lambda m: m.get("id") == aid)["result"] or []

    for action in ask(old):  # before version 2 is linted: nothing, or edits for version 2
        applied = _apply(moved, _edits(action, uri, 2, versioned))
        assert _parses_and_is_clean(applied, tmp_path, rules) == [], action["title"]

    msg = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                          and m["params"].get("version") == 2)
    new = msg["params"]["diagnostics"]
    assert [d["code"] for d in new] == ["NET001"]
    assert not [a for a in ask(old) if a["kind"] == "quickfix"]  # the older publication's quick fix
    actions = {a["kind"]: a for a in ask(new)}
    assert set(actions) == {"quickfix", "source.fixAll.pullcheck"}
    for action in actions.values():
        applied = _apply(moved, _edits(action, uri, 2, versioned))
        assert applied == moved.replace("AssignPublicIp: DISABLED", "AssignPublicIp: ENABLED")
        assert _parses_and_is_clean(applied, tmp_path, rules) == []
    sid = client.send("shutdown", None, request=True)
    client.wait_for(lambda m: m.get("id") == sid)
    client.send("exit", None)
    assert client.ended() == (0, b"")


def test_the_scope_of_an_editor_lint_is_the_workspace_folder_that_holds_the_file(tmp_path):
    from pullcheck.integrations.lsp import scope_roots

    repo, other = tmp_path / "repo", tmp_path / "other"
    (repo / "infra" / "app").mkdir(parents=True)
    other.mkdir()
    main = repo / "infra" / "app" / "main.tf"
    assert scope_roots(str(main), [str(other), str(repo)]) == [str(repo)]
    assert scope_roots(str(main), [str(repo), str(repo / "infra")]) == [str(repo), str(repo / "infra")]
    assert scope_roots(str(main), [str(other)]) == [str(main)]  # outside every folder: its own folder
    assert scope_roots(str(main), []) == [str(main)]
    (tmp_path / "link").symlink_to(repo)  # a folder opened through a symbolic link holds the same files
    assert scope_roots(str(main), [str(tmp_path / "link")]) == [str(tmp_path / "link")]


def test_an_editor_lint_reads_what_its_workspace_folder_holds(tmp_path, rules):
    """In the editor, file("../shared/x") from a module is read when the workspace folder holds it, as a run
    at the repository's root reads it; outside the workspace it stays unknown."""
    from pullcheck.integrations.lsp import diagnostics, scope_roots

    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "image.txt").write_text("Example/FromShared:1\n")
    (tmp_path / "infra").mkdir()
    main = tmp_path / "infra" / "main.tf"
    text = ('resource "aws_ecs_task_definition" "t" {\n  family = "t"\n  container_definitions = jsonencode(['
            '{ name = "app", image = trimspace(file("../shared/image.txt")) }])\n}\n')
    main.write_text(text)
    alone = diagnostics(str(main), text, rules, roots=scope_roots(str(main), []))
    assert not [d for d in alone if "FromShared" in d["message"]], alone
    found = diagnostics(str(main), text, rules, roots=scope_roots(str(main), [str(tmp_path)]))
    assert [d["code"] for d in found if "Example/FromShared" in d["message"]] == ["IMG003"], found


# -- the account's network, given to the server as to the command line

SNAPSHOT = {"format": "pullcheck-snapshot", "version": 1, "account": "123456789012", "region": "eu-west-1",
            "taken": "2026-01-01T00:00:00Z",
            "Vpcs": [{"VpcId": "vpc-0a", "CidrBlock": "10.0.0.0/16", "EnableDnsSupport": True,
                      "EnableDnsHostnames": True}],
            "Subnets": [{"SubnetId": "subnet-0a", "VpcId": "vpc-0a", "CidrBlock": "10.0.0.0/24",
                         "AvailabilityZone": "eu-west-1a"}],
            "InternetGateways": [{"InternetGatewayId": "igw-0a", "Attachments": [{"VpcId": "vpc-0a",
                                                                                 "State": "available"}]}],
            "RouteTables": [{"RouteTableId": "rtb-0a", "VpcId": "vpc-0a", "Associations": [
                {"Main": False, "SubnetId": "subnet-0a", "RouteTableAssociationId": "rtbassoc-0a"}], "Routes": [
                {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0a", "State": "active"}]}]}
SERVICE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  SubnetIds:
    Type: List<AWS::EC2::Subnet::Id>
Resources:
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: "256"
      Memory: "512"
      ExecutionRoleArn: arn:aws:iam::123456789012:role/exec
      ContainerDefinitions:
        - Name: app
          Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1
  Service:
    Type: AWS::ECS::Service
    Properties:
      LaunchType: FARGATE
      TaskDefinition: !Ref TaskDefinition
      NetworkConfiguration:
        AwsvpcConfiguration:
          Subnets: !Ref SubnetIds
  Literal:
    Type: AWS::ECS::Service
    Properties:
      LaunchType: FARGATE
      TaskDefinition: !Ref TaskDefinition
      NetworkConfiguration:
        AwsvpcConfiguration:
          Subnets: [subnet-0a]
"""
LITERAL, PARAMETER = 31, 23  # 0-based lines of the two services' subnets


def _account_tree(folder):
    (folder / "network.json").write_text(json.dumps(SNAPSHOT))
    (folder / "service.yaml").write_text(SERVICE)
    (folder / "params.json").write_text('[{"ParameterKey": "SubnetIds", "ParameterValue": "subnet-0a"}]')
    (folder / "stacks.toml").write_text('network = "network.json"\nregion = "eu-west-1"\n[stacks.service]\n'
                                        'template = "service.yaml"\nparameters = "params.json"\n')


def _opened(client, folder, name="service.yaml"):
    rid = client.send("initialize", {"processId": None, "rootUri": _uri(folder), "capabilities": {}}, request=True)
    client.wait_for(lambda m: m.get("id") == rid)
    client.send("initialized", {})
    path = folder / name
    client.send("textDocument/didOpen", {"textDocument": {"uri": _uri(path), "languageId": "yaml", "version": 1,
                                                          "text": path.read_text()}})
    return [(d["code"], d["range"]["start"]["line"]) for d in client.diagnostics(_uri(path))], path


def _ended(client):
    client.send("shutdown", {}, request=True)
    client.send("exit", {})
    assert client.ended()[0] == 0


@pytest.mark.parametrize("args, config, found", [
    ((), "", []),  # alone, the subnets are unknowns
    (("--network", "network.json"), "", [("NET001", LITERAL)]),
    (("--region", "eu-west-1"), '[tool.pullcheck]\nnetwork = "network.json"\n', [("NET001", LITERAL)]),
    # the stacks file's network, and its parameters: the service that takes its subnets as a parameter too
    (("--stacks", "stacks.toml"), "", [("NET001", PARAMETER), ("NET001", LITERAL)]),
    # --network wins over the configuration's (which names a file that is not there)
    (("--network", "network.json"), '[tool.pullcheck]\nnetwork = "gone.json"\n', [("NET001", LITERAL)]),
], ids=["alone", "network", "configuration", "stacks", "network-wins"])
def test_the_server_reads_the_accounts_network_as_the_command_line_does(tmp_path, args, config, found):
    _account_tree(tmp_path)
    if config:
        (tmp_path / "pyproject.toml").write_text(config)
    client = Client(str(tmp_path), *args)
    try:
        got, _ = _opened(client, tmp_path)
        assert [d for d in got if d[0].startswith("NET")] == found, got
        _ended(client)
    finally:
        if client.proc.poll() is None:
            client.proc.kill()


def test_a_snapshot_is_read_again_when_it_changes_and_a_bad_one_is_said(tmp_path):
    _account_tree(tmp_path)
    client = Client(str(tmp_path), "--network", "network.json")
    try:
        got, path = _opened(client, tmp_path)
        assert got == [("NET001", LITERAL)]
        private = json.loads(json.dumps(SNAPSHOT))
        private["RouteTables"][0]["Routes"].pop()  # no default route: a private subnet without endpoints
        (tmp_path / "network.json").write_text(json.dumps(private))
        os.utime(tmp_path / "network.json", ns=(1, 1))  # changed on disk, whatever the clock's resolution
        client.send("textDocument/didSave", {"textDocument": {"uri": _uri(path)}})
        assert [(d["code"], d["range"]["start"]["line"]) for d in client.diagnostics(_uri(path))] == [
            ("NET002", LITERAL)]
        (tmp_path / "network.json").write_text('{"format": "pullcheck-snapshot", "version": 0}')
        client.send("textDocument/didSave", {"textDocument": {"uri": _uri(path)}})
        [said] = client.diagnostics(_uri(path))
        assert said["code"] == "CONFIG" and said["message"].startswith("snapshot error: ") and \
            "snapshot format version 0" in said["message"], said
        _ended(client)
    finally:
        if client.proc.poll() is None:
            client.proc.kill()


def test_wrong_server_options_are_a_usage_error(tmp_path):
    got = subprocess.run([sys.executable, "-m", "pullcheck", "lsp", "--netwrok", "x"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert got.returncode == 2 and "unrecognized arguments: --netwrok" in got.stderr and not got.stdout
