"""ecspresso task and service definitions written in Jsonnet: the reader evaluates the subset such files use
into the same positioned JSON a ``.json`` definition gives, with what the deploy supplies (environment
variables, external variables, AWS lookups) as unknowns that say what they wait on, ``tfstate`` linked to
the run's Terraform as ``{{ tfstate }}`` is, and every bound held against hostile files."""
import json
import os
import textwrap

import pytest
from conftest import run_cli

from pullcheck.formats.taskdef.jsonnet import evaluate
from pullcheck.graph.values import Template, Unknown
from pullcheck.sources import scope
from pullcheck.sources.errors import ParseError


def _plain(v):
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A folder that is the run's scope, and a writer of files in it (dedented)."""
    (tmp_path / "repo").mkdir()
    root = tmp_path / "repo"
    monkeypatch.chdir(root)
    scope.set_roots([str(root)])

    def write(name, text):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return name
    yield write
    scope.set_roots([])


def _eval(write, text, name="def.jsonnet"):
    return evaluate(write(name, text))


# -- the language subset ------------------------------------------------------------------------------------

def test_a_definition_with_locals_functions_imports_and_operators_evaluates_as_go_jsonnet_does(tree):
    tree("lib/common.libsonnet", """\
        // shared by every service of the team
        local region = 'eu-west-1';
        {
          region:: region,
          logs(name, prefix='app'):: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': '/ecs/' + name, 'awslogs-region': region, 'awslogs-stream-prefix': prefix },
          },
        }
        """)
    doc = _eval(tree, """\
        local common = import 'lib/common.libsonnet';
        local sizes = { small: { cpu: '256', memory: '512' }, large: { cpu: '1024', memory: '2048' } };
        /* the size the service runs at */
        local size = 'small';
        local container(name, tag='latest', port=80) = {
          name: name,
          image: '%s.dkr.ecr.%s.amazonaws.com/%s:%s' % ['123456789012', common.region, name, tag],
          essential: true,
          portMappings: [{ containerPort: p } for p in [port, port + 1] if p != 81],
          logConfiguration: common.logs(name, prefix=name),
        };
        {
          family: std.join('-', ['web', size]),
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          containerDefinitions: [container('web', tag='1.2'), container('sidecar', port=9000)],
          tags: [{ key: k, value: $.labels[k] } for k in std.objectFields(self.labels)],
          labels:: { team: 'web', size: size },
          [if std.objectHas(sizes, size) then 'cpu']: sizes[size].cpu,
          memory: sizes[size].memory,
          note: |||
            written by hand
          |||,
          verbatim: @'C:\\path',
          flags: [!false && true, 1 == 1.0, 'a' < 'b', 7 % 4, std.length({ a: 1, b:: 2 })],
        } + { tags+: [{ key: 'extra', value: 'yes' }] }
        """)
    assert _plain(doc) == {
        "family": "web-small", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
        "containerDefinitions": [
            {"name": "web", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.2", "essential": True,
             "portMappings": [{"containerPort": 80}],
             "logConfiguration": {"logDriver": "awslogs", "options": {
                 "awslogs-group": "/ecs/web", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "web"}}},
            {"name": "sidecar", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/sidecar:latest",
             "essential": True, "portMappings": [{"containerPort": 9000}, {"containerPort": 9001}],
             "logConfiguration": {"logDriver": "awslogs", "options": {
                 "awslogs-group": "/ecs/sidecar", "awslogs-region": "eu-west-1",
                 "awslogs-stream-prefix": "sidecar"}}}],
        "tags": [{"key": "size", "value": "small"}, {"key": "team", "value": "web"},
                 {"key": "extra", "value": "yes"}],
        "cpu": "256", "memory": "512", "note": "written by hand\n", "verbatim": "C:\\path",
        "flags": [True, True, True, 3, 1],
    }


def test_std_functions_real_definitions_use(tree):
    doc = _eval(tree, """\
        local base = { a: 1, b: { c: 2, d: 3 } };
        {
          merged: std.mergePatch(base, { b: { c: null, e: 4 } }),
          text: std.toString(5) + std.format('%05d-%s', [42, 'x']),
          parts: std.split('a,b,c', ','),
          replaced: std.strReplace('a/b/c', '/', '_'),
          mapped: std.map(function(x) x * 2, std.range(1, 3)),
          filtered: std.filter(function(x) x > 1, [1, 2, 3]),
          folded: std.foldl(function(acc, x) acc + x, [1, 2, 3], 0),
          parsed: std.parseInt('42'),
          kinds: [std.type(null), std.isString('s'), std.isObject({})],
          has: [std.objectHas(base, 'a'), 'z' in base],
          lower: std.asciiLower('ABC'),
          got: std.get(base, 'z', 'default'),
          sliced: [1, 2, 3, 4][1:3],
          pruned: std.prune({ a: null, b: [], c: 1 }),
        }
        """)
    assert _plain(doc) == {
        "merged": {"a": 1, "b": {"d": 3, "e": 4}}, "text": "500042-x", "parts": ["a", "b", "c"],
        "replaced": "a_b_c", "mapped": [2, 4, 6], "filtered": [2, 3], "folded": 6, "parsed": 42,
        "kinds": ["null", True, True], "has": [True, False], "lower": "abc", "got": "default",
        "sliced": [2, 3], "pruned": {"c": 1},
    }


def test_objects_inherit_as_jsonnet_says(tree):
    doc = _eval(tree, """\
        local base = {
          name:: 'base',
          image: 'repo/' + self.name,
          ports: [80],
          shown::: 'always',
          env: { A: '1' },
        };
        local web = base + {
          name:: 'web',
          ports+: [443],
          env+: { B: '2' },
          parent: super.image,
          had: 'ports' in super,
          shown:: 'hidden again',
        };
        { web: web, base: base, fields: std.objectFields(web), all: std.length(std.objectFieldsAll(web)) }
        """)
    assert _plain(doc) == {
        "web": {"image": "repo/web", "ports": [80, 443], "env": {"A": "1", "B": "2"}, "parent": "repo/web",
                "had": True},
        "base": {"image": "repo/base", "ports": [80], "shown": "always", "env": {"A": "1"}},
        "fields": ["env", "had", "image", "parent", "ports"], "all": 7,
    }


def test_fields_carry_where_their_value_is_written(tree):
    tree("lib.libsonnet", "{ env: [{ name: 'A', value: '1' }] }\n")
    doc = _eval(tree, """\
        local lib = import 'lib.libsonnet';
        {
          family: 'web',
          containerDefinitions: [
            {
              name: 'web',
              environment: lib.env,
            },
          ],
        }
        """)
    assert doc.kpos["family"][:2] == (3, 11)
    container = doc["containerDefinitions"][0]
    assert doc["containerDefinitions"].ipos[0][:2] == (5, 5)
    assert container.kpos["name"][:2] == (6, 13)
    # written in the library: placed where the definition brings it in
    assert container.kpos["environment"][:2] == (7, 20)
    assert container["environment"][0].kpos["name"][:2] == (7, 20)


# -- what the deploy gives ----------------------------------------------------------------------------------

def test_natives_and_external_variables_are_unknowns_that_say_what_they_wait_on(tree):
    doc = _eval(tree, """\
        local env = std.native('env');
        local must_env = std.native('must_env');
        local ssm = std.native('ssm');
        local tfstate = std.native('tfstate');
        {
          tag: env('IMAGE_TAG', 'latest'),
          account: must_env('AWS_ACCOUNT_ID'),
          mode: std.extVar('MODE'),
          secret: ssm('/app/secret'),
          image: 'nginx:%s' % env('IMAGE_TAG', 'latest'),
          subnet: tfstate('module.vpc.aws_subnet.private[0].id'),
          computed: tfstate('aws_subnet.%s.id' % must_env('ZONE')),
          chosen: if std.extVar('MODE') == 'blue' then 'a' else 'b',
        }
        """)
    assert doc["tag"] == Unknown('environment variable IMAGE_TAG (default "latest")')
    assert doc["account"] == Unknown("environment variable AWS_ACCOUNT_ID")
    assert "Jsonnet external variable MODE" in doc["mode"].origin
    assert doc["secret"].origin.startswith('SSM parameter ssm("/app/secret")')
    assert isinstance(doc["image"], Template) and doc["image"].known_prefix() == "nginx:"
    # the JSON definition's placeholder: pullcheck.engine.tfstate links it to the run's Terraform
    assert doc["subnet"] == "{{ tfstate `module.vpc.aws_subnet.private[0].id` }}"
    assert "environment variable ZONE" in doc["computed"].origin
    assert "Jsonnet external variable MODE" in doc["chosen"].origin


def test_a_construct_outside_the_subset_is_an_unknown_where_it_is_and_the_rest_is_read(tree):
    doc = _eval(tree, """\
        {
          family: 'web',
          digest: std.md5('x'),
          binary: importbin 'x.bin',
        }
        """)
    assert doc["family"] == "web"
    assert doc["digest"] == Unknown("not read: std.md5 at 3:11")
    assert doc["binary"] == Unknown("not read: importbin at 4:11")


def test_an_error_in_one_field_leaves_the_others(tree):
    doc = _eval(tree, "{ a: error 'no', b: 1, c: [1][5], d: {}.missing }\n")
    assert doc["b"] == 1
    assert doc["a"].origin.startswith("error 'no' at 1:6")
    assert "out of bounds" in doc["c"].origin and "no field missing" in doc["d"].origin


@pytest.mark.parametrize("text,line,col", [
    ("{ a: 1,, }", 1, 8),
    ("{\n  a: 'open\n}", 2, 6),
    ("{ a: 1 } }", 1, 10),
    ("local x = 1\n{ a: x }", 2, 9),
    ("{ a: /* never closed", 1, 6),
])
def test_a_syntax_error_is_a_parse_error_at_its_place(tree, text, line, col):
    with pytest.raises(ParseError) as e:
        _eval(tree, text)
    assert (e.value.line, e.value.col) == (line, col)


# -- hostile files ------------------------------------------------------------------------------------------

def test_hundreds_of_locals_in_a_row_are_read(tree):
    text = "".join(f"local v{i} = {i};\n" for i in range(500)) + "{ last: v499, sum: v1 + v2 }\n"
    assert _plain(_eval(tree, text)) == {"last": 499, "sum": 3}


def test_deep_nesting_is_a_parse_error_not_a_crash(tree):
    with pytest.raises(ParseError) as e:
        _eval(tree, "[" * 5000 + "]" * 5000)
    assert "nested deeper" in e.value.message and e.value.line == 1


@pytest.mark.parametrize("text,said", [
    ("{ a: std.repeat('x', 1e9) }", "a string longer than"),
    ("{ a: std.range(1, 1e9) }", "an array of more than"),
    ("local f(x) = f(x + 1); { a: f(0) }", "nested deeper than"),
    ("{ a: std.foldl(function(acc, x) acc + x * 2 - 1, std.range(1, 99999), 0) }", "evaluation steps"),
    ("local s = 'x' + std.repeat('y', 1000000); { a: s + s }", "a string longer than"),
    ("local x = x + 1; { a: x }", "needs its own value"),
    ("{ a: self.a }", "nested deeper than"),
    # built again and again: the whole evaluation's budget, not one value's bound, stops it
    ("{ a: [std.repeat('x', 1000000) for i in std.range(1, 100000)] }", "MB of text built"),
    ("{ a: [std.range(1, 99999) for i in std.range(1, 99999)] }", "array items built"),
    ("{ a: std.flattenArrays([std.range(1, 99999) for i in std.range(1, 9)]) }", "an array of more than"),
    ("{ a: std.length(std.lines([std.repeat('x', 900000) for i in std.range(1, 20)])) }", "MB of text built"),
    ("{ a: { x: 1 } == { x: 1 } }", "not read: a comparison of two objects"),
])
def test_runaway_evaluation_is_a_bounded_unknown(tree, text, said):
    doc = _eval(tree, text)
    assert isinstance(doc["a"], Unknown) and said in doc["a"].origin, doc["a"]


def test_a_huge_output_is_an_unknown(tree):
    doc = _eval(tree, "[[i, j] for i in std.range(1, 400) for j in std.range(1, 400)]")
    assert isinstance(doc, Unknown) and "more than" in doc.origin


def test_an_import_cycle_is_an_unknown(tree):
    tree("a.libsonnet", "import 'b.libsonnet'")
    tree("b.libsonnet", "import 'a.libsonnet'")
    doc = _eval(tree, "{ x: (import 'a.libsonnet').a, y: 1 }")
    assert "import cycle" in doc["x"].origin and doc["y"] == 1


def test_imports_never_leave_the_scanned_tree(tree, tmp_path):
    (tmp_path / "secret.libsonnet").write_text("{ password: 'hunter2' }")
    os.symlink(tmp_path / "secret.libsonnet", tmp_path / "repo" / "link.libsonnet")
    doc = _eval(tree, """\
        {
          up: import '../secret.libsonnet',
          far: importstr '../../../../../../etc/passwd',
          absolute: importstr '/etc/passwd',
          link: import 'link.libsonnet',
          missing: import 'nowhere.libsonnet',
        }
        """)
    for key in ("up", "far", "absolute", "link", "missing"):
        assert isinstance(doc[key], Unknown) and doc[key].origin.startswith("not read: import of"), key
    assert "hunter2" not in json.dumps({k: str(v) for k, v in doc.items()})


def test_a_fifo_is_never_opened_as_an_import(tree, tmp_path):
    os.mkfifo(tmp_path / "repo" / "pipe.libsonnet")
    doc = _eval(tree, "{ a: import 'pipe.libsonnet' }")
    assert isinstance(doc["a"], Unknown)


# -- the run: ecspresso's configuration names the definitions ------------------------------------------------

CONFIG = """\
    region: eu-west-1
    cluster: app
    service: app-server
    service_definition: ecs-service-def.jsonnet
    task_definition: ecs-task-def.jsonnet
    plugins:
      - name: tfstate
        config:
          path: terraform.tfstate
    """
TERRAFORM = """\
    resource "aws_vpc" "v" {
      cidr_block = "10.0.0.0/16"
    }
    resource "aws_internet_gateway" "gw" {
      vpc_id = aws_vpc.v.id
    }
    resource "aws_subnet" "public" {
      vpc_id     = aws_vpc.v.id
      cidr_block = "10.0.1.0/24"
    }
    resource "aws_route_table" "public" {
      vpc_id = aws_vpc.v.id
      route {
        cidr_block = "0.0.0.0/0"
        gateway_id = aws_internet_gateway.gw.id
      }
    }
    resource "aws_route_table_association" "public" {
      subnet_id      = aws_subnet.public.id
      route_table_id = aws_route_table.public.id
    }
    resource "aws_security_group" "app" {
      vpc_id = aws_vpc.v.id
      egress {
        from_port   = 443
        to_port     = 443
        protocol    = "tcp"
        cidr_blocks = ["0.0.0.0/0"]
      }
    }
    """
SERVICE = """\
    local tfstate = std.native('tfstate');
    {
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [%s],
          securityGroups: [tfstate('aws_security_group.app.id')],
          assignPublicIp: 'DISABLED',
        },
      },
    }
    """
TASK = """\
    {
      family: 'app',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: %s,
      memory: '512',
      containerDefinitions: [{ name: 'app', image: 'nginx:1.27', essential: true }],
    }
    """


def _repo(write, subnets="tfstate('aws_subnet.public.id')", cpu="'256'"):
    write("ecspresso.yml", CONFIG)
    write("main.tf", TERRAFORM)
    write("ecs-service-def.jsonnet", SERVICE % subnets)
    write("ecs-task-def.jsonnet", TASK % cpu)


def _run(*args):
    r = run_cli("--no-config", *args, ".", cwd=os.getcwd())
    assert "Traceback" not in r.stderr and r.returncode in (0, 1), r.stderr
    return r


def test_a_jsonnet_service_is_judged_and_its_finding_is_in_the_jsonnet_file(tree):
    _repo(tree)
    r = _run("--explain", "--format", "json")
    doc = json.loads(r.stdout)
    [site] = doc["launch_sites"]
    assert (site["name"], site["file"], site["judged"]) == ("app-server", "ecs-service-def.jsonnet", True)
    [finding] = doc["findings"]
    assert (finding["rule"], finding["file"], finding["line"], finding["column"]) == \
        ("NET001", "ecs-service-def.jsonnet", 9, 23)


def test_a_jsonnet_task_definition_finding_is_in_the_jsonnet_file(tree):
    _repo(tree, cpu="256")
    found = json.loads(_run("--select", "TD001", "--format", "json").stdout)
    assert [(f["rule"], f["file"], f["line"], f["column"]) for f in found] == \
        [("TD001", "ecs-task-def.jsonnet", 5, 8)]


def test_an_iam_finding_points_at_the_expression_that_builds_the_image(tree):
    _repo(tree)
    tree("ecs-task-def.jsonnet", """\
        local account = '123456789012';
        {
          family: 'app', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '512',
          containerDefinitions: [
            { name: 'app', image: '%s.dkr.ecr.eu-west-1.amazonaws.com/app:1' % account },
          ],
        }
        """)
    found = json.loads(_run("--select", "IAM001", "--format", "json").stdout)
    assert [(f["rule"], f["file"], f["line"], f["column"]) for f in found] == \
        [("IAM001", "ecs-task-def.jsonnet", 5, 27)]


def test_a_site_whose_subnets_wait_on_the_environment_is_named_not_judged(tree):
    _repo(tree, subnets="std.native('must_env')('SUBNET_ID')")
    doc = json.loads(_run("--explain", "--format", "json").stdout)
    [site] = doc["launch_sites"]
    assert not site["judged"] and doc["findings"] == []
    assert any("environment variable SUBNET_ID" in w["value"] and w["file"] == "ecs-service-def.jsonnet"
               for w in site["waits_on"]), site


def test_a_site_that_cannot_be_read_is_named_not_judged_with_the_reason(tree):
    _repo(tree, subnets="std.md5('x')")
    doc = json.loads(_run("--explain", "--format", "json").stdout)
    [site] = doc["launch_sites"]
    assert not site["judged"]
    assert any("not read: std.md5 at 7:17" in w["value"] for w in site["waits_on"]), site


def test_a_definition_that_is_wholly_unreadable_is_still_a_site_not_judged(tree):
    _repo(tree)
    tree("ecs-service-def.jsonnet", "local f(x) = f(x); f(1)\n")
    doc = json.loads(_run("--explain", "--format", "json").stdout)
    [site] = doc["launch_sites"]
    assert not site["judged"] and any("nested deeper" in w["value"] for w in site["waits_on"]), site


def test_a_definition_that_does_not_parse_is_parse001_at_its_place(tree):
    _repo(tree)
    tree("ecs-task-def.jsonnet", "{\n  family: 'app',,\n}\n")
    found = json.loads(_run("--format", "json").stdout)
    assert [(f["rule"], f["file"], f["line"], f["column"]) for f in found if f["rule"] == "PARSE001"] == \
        [("PARSE001", "ecs-task-def.jsonnet", 2, 17)]


def test_jsonnet_no_ecspresso_configuration_names_is_left_alone(tree):
    tree("grafana/dashboard.jsonnet", "{ panels: [ error 'not ours' ] }\n")
    tree("ecspresso.jsonnet", "{ region: 'eu-west-1', cluster: 'app', service: 'x' }\n")
    r = _run("--format", "json")
    assert json.loads(r.stdout) == [] and r.returncode == 0


def test_a_configuration_whose_paths_hold_template_functions_names_each_file_they_can_give(tree):
    """``{{ must_env `SERVICE` }}.service.jsonnet``: every file of that shape is a definition, and a service
    is paired with the task definition the same text gives."""
    tree("deploy/ecspresso.yml", """\
        cluster: app
        service: '{{ must_env `SERVICE` }}'
        service_definition: '{{ must_env `SERVICE` }}.service.jsonnet'
        task_definition: '{{ must_env `SERVICE` }}.taskdef.jsonnet'
        """)
    for name in ("api", "worker"):
        tree(f"deploy/{name}.service.jsonnet", SERVICE % f"'subnet-{name}'")
        tree(f"deploy/{name}.taskdef.jsonnet", TASK % "'256'")
    tree("deploy/api.libsonnet", "{}\n")
    doc = json.loads(_run("--explain", "--format", "json").stdout)
    assert sorted((s["name"], s["file"]) for s in doc["launch_sites"]) == [
        ("api", "deploy/api.service.jsonnet"), ("worker", "deploy/worker.service.jsonnet")]
    r = _run("--explain")
    assert "task definition: app (deploy/worker.taskdef.jsonnet:1)" in r.stdout, r.stdout


def test_a_state_value_is_the_json_placeholder_only_as_a_value_of_its_own(tree):
    doc = _eval(tree, """\
        local tfstate = std.native('tfstate');
        local env = std.native('env');
        {
          group: tfstate('aws_cloudwatch_log_group.app.name'),
          image: tfstate('aws_ecr_repository.app.repository_url') + ':' + env('TAG', 'latest'),
          split: std.split(tfstate('output.subnet_ids_csv'), ','),
          first: tfstate('output.subnet_ids')[0],
          fallback: env('IMAGE', 'nginx:' + env('VERSION', '1.27')),
        }
        """)
    assert doc["group"] == "{{ tfstate `aws_cloudwatch_log_group.app.name` }}"
    assert doc["image"].known_prefix() == "{{ tfstate `aws_ecr_repository.app.repository_url` }}:"
    assert doc["split"] == Unknown("a value computed from Terraform state output.subnet_ids_csv (tfstate)")
    assert doc["first"] == Unknown("a value computed from Terraform state output.subnet_ids (tfstate)")
    assert doc["fallback"].origin == 'environment variable IMAGE (default environment variable VERSION (default "1.27"))'


def test_ecspressos_own_ci_definitions_name_their_site_and_what_it_waits_on(monkeypatch):
    """kayac/ecspresso's CI definitions (tests/data/jsonnet): Fargate through a capacity provider strategy,
    subnets written as IDs no file of the run declares, images the deploy renders."""
    from conftest import ROOT

    folder = os.path.join(ROOT, "tests", "data", "jsonnet", "ecspresso-ci")
    r = run_cli("--no-config", "--explain", "--format", "json", ".", cwd=folder)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    doc = json.loads(r.stdout)
    [site] = doc["launch_sites"]
    assert site["file"] == "ecs-service-def.jsonnet" and not site["judged"] and doc["findings"] == []
    waits = {w["value"]: w["line"] for w in site["waits_on"]}
    assert {"subnet-0623adfcb3093f18f", "subnet-0376f113bbbc25742", "subnet-04b750544ddd71274"} <= set(waits)
    assert waits["nginx:{{ env `NGINX_VERSION` `latest` }}"] == 17
    monkeypatch.chdir(folder)
    scope.set_roots([folder])
    task = evaluate("ecs-task-def.jsonnet")
    # `if isCodeDeploy then null else [...]`, isCodeDeploy from --ext-str: which, the run cannot tell
    assert "Jsonnet external variable DEPLOYMENT_CONTROLLER" in task["volumes"].origin
    assert task["containerDefinitions"][1].kpos["mountPoints"][:2] == (86, 20)
    scope.set_roots([])


# -- fuzz: any text, and random expressions, give a value or a ParseError, nothing else ---------------------

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
_LEAVES = st.sampled_from(["1", "0", "-2.5", "'a'", '"b"', "null", "true", "false", "self", "$", "x", "f",
                           "std.native('env')('A', 'd')", "std.extVar('V')", "std.native('tfstate')('aws_x.y.id')",
                           "import 'lib.libsonnet'", "importstr 'lib.libsonnet'", "[]", "{}", "|||\n  t\n|||",
                           "@'v'", "super.a", "std.md5('x')", "error 'e'"])


def _exprs():
    return st.recursive(_LEAVES, lambda e: st.one_of(
        st.tuples(e, st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", "&&", "||", "in"]), e).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(e, e, e).map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"),
        st.lists(e, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from([":", "::", "+:"]), e).map(
            lambda t: "{ " + t[0] + t[1] + " " + t[2] + " }"),
        st.tuples(e, e).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(e, e).map(lambda t: f"(local x = {t[0]}; local f(y, z=1) = y; {t[1]})"),
        st.tuples(e, e).map(lambda t: f"[{t[0]} for x in std.range(0, 3) if {t[1]}]"),
        st.tuples(e, e).map(lambda t: f"std.{'join'}(',', {t[0]}) + std.format('%s', [{t[1]}])"),
    ), max_leaves=12)


def _holds(tree, text):
    try:
        evaluate(tree("fuzz.jsonnet", text))
    except ParseError:
        pass


@_FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("{}[]()'\"@|:;,.+-*/%!=<>$ \nabcxyz019#\\")), max_size=80))
def test_any_text_reads_or_is_a_parse_error(tree, text):
    _holds(tree, text)


@_FUZZ
@given(expr=_exprs())
def test_random_expressions_evaluate_to_a_value_or_an_unknown(tree, expr):
    tree("lib.libsonnet", "{ a: 1 }")
    _holds(tree, "{ v: " + expr + " }")
