"""Terragrunt live repositories: units linted as their module with the unit's inputs, dependencies' outputs from
the units of the same run (never their mock outputs), modules that are not on disk named once, and hostile
configurations that neither crash nor hang nor read outside the scanned tree."""
import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, run_cli

from pullcheck.engine.stages import build_graph
from pullcheck.graph.values import Ref, shown

LIVE = os.path.join("tests", "data", "terragrunt")
SERVICE_MAIN = f"{LIVE}/modules/service/main.tf"


def _write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def _graph(*paths):
    graph, errors = build_graph([str(p) for p in paths])
    return graph, errors


@pytest.fixture(scope="module")
def live_json():
    """The live repository's --explain JSON object, read once for the tests that look at it."""
    r = run_cli("--no-config", "--explain", "--format", "json", LIVE)
    return r, json.loads(r.stdout)


def _services(graph):
    return {r.name: r for r in graph.of_kind("ecs.service")}


def test_live_repository_judges_the_service_and_names_the_unit_of_its_defect(live_json):
    r, doc = live_json
    assert r.returncode == 1, r.stderr
    [finding] = doc["findings"]
    assert finding["rule"] == "NET001" and finding["file"] == SERVICE_MAIN and finding["line"] == 52
    assert f"(unit {LIVE}/prod/service)" in finding["message"]  # the unit whose inputs make it
    sites = {s["name"]: s for s in doc["launch_sites"]}
    prod = sites[f"aws_ecs_service.app (unit {LIVE}/prod/service)"]
    assert prod["judged"] is True
    # the module folder is linted through the units only: no bare copy of it with unknown variables
    assert "aws_ecs_service.app" not in sites and "aws_ecs_service.worker" not in sites
    assert len(sites) == 3


def test_dependency_outputs_come_from_the_unit_in_the_run_and_inputs_merge_as_terragrunt_merges():
    graph, errors = _graph(LIVE)
    assert errors == []
    service = _services(graph)[f"aws_ecs_service.app (unit {LIVE}/prod/service)"]
    subnets = service.get("subnets")
    assert [s.target for s in subnets] == [f"{LIVE}/prod/vpc:aws_subnet.public[0]",
                                            f"{LIVE}/prod/vpc:aws_subnet.public[1]"]
    assert all(isinstance(s, Ref) and s.target in graph.resources for s in subnets)
    assert service.get("assign_public_ip") is False  # the unit's own input
    tds = {r.name: r for r in graph.of_kind("ecs.task_definition")}
    td = tds[f"aws_ecs_task_definition.app (unit {LIVE}/prod/service)"]
    # name from the included _envcommon file, through read_terragrunt_config(find_in_parent_folders("env.hcl"))
    assert td.get("family") == "app-prod"
    assert td.get("containers")[0]["image"] == "nginx:1.27"  # include.envcommon.locals.image (expose = true)


def test_mock_outputs_are_never_taken_and_a_dependency_outside_the_run_waits_on_its_unit(live_json):
    r, doc = live_json
    sites = {s["name"]: s for s in doc["launch_sites"]}
    orphan = sites[f"aws_ecs_service.app (unit {LIVE}/stage/orphan)"]
    assert orphan["judged"] is False
    [wait] = orphan["waits_on"]
    assert wait["supply"] == "the unit ../vpc in the run"
    assert f"{LIVE}/stage/orphan/terragrunt.hcl:20" in wait["value"]  # the input that carries it
    assert "subnet-1111" not in r.stdout and "subnet-0000" not in r.stdout
    # its assign_public_ip = false in a public-looking mock subnet is no finding: the subnets are unknown
    assert not any("stage/orphan" in f["message"] for f in doc["findings"])


def test_a_module_not_on_disk_is_named_once_with_the_launch_sites_waiting_on_it(live_json):
    r = run_cli("--no-config", LIVE)
    lines = r.stdout.splitlines()
    worker = [line for line in lines if "module.worker_sg" in line]
    assert worker == [f"pullcheck: module.worker_sg ({LIVE}/modules/worker/main.tf:9) comes from "
                      "git::https://example.com/platform/terraform-aws-sg.git?ref=v2.1.0, which is not on disk: "
                      "1 launch site waits on it; run `terraform init`"]
    unit = [line for line in lines if "tfr://" in line]
    assert len(unit) == 1 and f"the unit {LIVE}/stage/service " in unit[0]
    absent = {a["module"]: a for a in live_json[1]["modules_not_on_disk"]}
    assert absent["module.worker_sg"]["launch_sites_waiting"] == 1
    assert absent["module.worker_sg"]["supply"] == "terraform init"
    r = run_cli("--no-config", "--format", "sarif", LIVE)  # a report on standard output: named on stderr
    assert r.stderr.count("module.worker_sg") == 1 and "module.worker_sg" not in r.stdout


def test_a_module_placed_in_dot_terraform_modules_is_read(tmp_path):
    _write(tmp_path, {
        "app/main.tf": """
            module "net" {
              source = "git::https://example.com/net.git?ref=v1"
            }
            resource "aws_ecs_task_definition" "app" {
              family                   = "app"
              requires_compatibilities = ["FARGATE"]
              network_mode             = "awsvpc"
              cpu                      = 256
              memory                   = 512
              container_definitions    = jsonencode([{ name = "app", image = "nginx:1.27" }])
            }
            resource "aws_ecs_service" "app" {
              launch_type     = "FARGATE"
              task_definition = aws_ecs_task_definition.app.arn
              network_configuration {
                subnets = module.net.subnets
              }
            }
            """,
        "app/.terraform/modules/net/main.tf": """
            resource "aws_vpc" "v" {
              cidr_block = "10.0.0.0/16"
            }
            resource "aws_subnet" "s" {
              vpc_id = aws_vpc.v.id
            }
            resource "aws_route_table" "t" {
              vpc_id = aws_vpc.v.id
            }
            resource "aws_route_table_association" "a" {
              subnet_id      = aws_subnet.s.id
              route_table_id = aws_route_table.t.id
            }
            output "subnets" {
              value = [aws_subnet.s.id]
            }
            """,
        "app/.terraform/modules/modules.json": json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "net", "Source": "git::https://example.com/net.git?ref=v1", "Dir": ".terraform/modules/net"}]}),
    })
    r = run_cli("--no-config", str(tmp_path / "app"))
    assert "NET002" in r.stdout and "not on disk" not in r.stdout + r.stderr  # no route: judged from the copy
    shutil.rmtree(tmp_path / "app" / ".terraform")
    r = run_cli("--no-config", str(tmp_path / "app"))
    assert "NET002" not in r.stdout
    assert r.stdout.count("module.net (") == 1 and "run `terraform init`" in r.stdout


def test_terragrunt_cache_is_never_linted(tmp_path):
    shutil.copytree(LIVE, tmp_path / "live")
    cached = tmp_path / "live" / "prod" / "service" / ".terragrunt-cache" / "x" / "y"
    shutil.copytree(tmp_path / "live" / "modules" / "service", cached)
    graph, _ = _graph(tmp_path / "live")
    assert not any(".terragrunt-cache" in r.file for r in graph.resources.values())
    assert len(_services(graph)) == 3


def test_a_dependency_on_a_unit_whose_module_is_not_on_disk_waits_on_that_module(tmp_path):
    shutil.copytree(LIVE, tmp_path / "live")
    worker = tmp_path / "live" / "prod" / "worker" / "terragrunt.hcl"
    worker.write_text(worker.read_text().replace('config_path = "../vpc"', 'config_path = "../../stage/service"'))
    doc = json.loads(run_cli("--no-config", "--explain", "--format", "json", str(tmp_path / "live")).stdout)
    [site] = [s for s in doc["launch_sites"] if s["name"].startswith("aws_ecs_service.worker")]
    supplies = {w["supply"] for w in site["waits_on"]}
    assert "the module of the unit ../../stage/service on disk (a local source, within the paths the run reads)" \
        in supplies


def test_a_module_source_in_a_folder_found_in_parent_folders_is_followed(tmp_path, live_json):
    shutil.copytree(LIVE, tmp_path / "live")
    vpc = tmp_path / "live" / "prod" / "vpc" / "terragrunt.hcl"
    vpc.write_text(vpc.read_text().replace('"../../modules//vpc"', '"${find_in_parent_folders("modules")}//vpc"'))
    assert '"${find_in_parent_folders("modules")}//vpc"' in vpc.read_text()
    doc = json.loads(run_cli("--no-config", "--explain", "--format", "json", str(tmp_path / "live")).stdout)
    judged = sorted((s["name"].split(" (unit ")[0], s["judged"]) for s in doc["launch_sites"])
    assert judged == sorted((s["name"].split(" (unit ")[0], s["judged"]) for s in live_json[1]["launch_sites"])
    assert any(j for _, j in judged)
    assert not any("find_in_parent_folders" in json.dumps(s["waits_on"]) for s in doc["launch_sites"])


def test_deep_and_shallow_merge_of_included_inputs(tmp_path):
    module = """
        variable "settings" {
          type = object({ family = optional(string), cpu = number })
        }
        resource "aws_ecs_task_definition" "app" {
          family = coalesce(var.settings.family, "none")
          cpu    = var.settings.cpu
        }
        """
    common = 'inputs = {\n  settings = { family = "from-common", cpu = 256 }\n}\n'
    for strategy, family in (("deep", "from-common"), ("shallow", "none")):
        root = tmp_path / strategy
        _write(root, {"modules/app/main.tf": module, "common.hcl": common, "unit/terragrunt.hcl": f"""
            include "common" {{
              path           = find_in_parent_folders("common.hcl")
              merge_strategy = "{strategy}"
            }}
            terraform {{
              source = "../modules//app"
            }}
            inputs = {{
              settings = {{ cpu = 512 }}
            }}
            """})
        graph, errors = _graph(root)
        assert errors == []
        [td] = graph.of_kind("ecs.task_definition")
        assert (td.get("family"), td.get("cpu")) == (family, 512)


def test_get_env_takes_its_default_unless_the_environment_is_asked_for(tmp_path):
    _write(tmp_path, {"modules/app/main.tf": """
        variable "family" {
          type = string
        }
        resource "aws_ecs_task_definition" "app" {
          family = var.family
        }
        """, "unit/terragrunt.hcl": """
        terraform {
          source = "${get_terragrunt_dir()}/../modules/app"
        }
        inputs = {
          family = get_env("PULLCHECK_TG_FAMILY", "fallback")
        }
        """})
    code = ("import sys, json\nfrom pullcheck.engine.stages import build_graph\n"
            "from pullcheck.formats.terraform.variables import Given\n"
            "g, _ = build_graph([sys.argv[1]], tf_given=Given(environment=sys.argv[2] == 'env'))\n"
            "print([r.get('family') for r in g.of_kind('ecs.task_definition')])\n")
    env = dict(os.environ, PULLCHECK_TG_FAMILY="from-env")
    for mode, want in (("plain", "['fallback']"), ("env", "['from-env']")):
        r = subprocess.run([sys.executable, "-c", code, str(tmp_path), mode], capture_output=True, text=True,
                           env=env, cwd=ROOT, timeout=120)
        assert r.stdout.strip() == want, r.stderr


def test_hostile_configurations_neither_crash_nor_hang_nor_read_outside(tmp_path):
    live = tmp_path / "live"
    _write(tmp_path, {
        "outside/main.tf": 'resource "aws_ecs_service" "outside" {\n  launch_type = "FARGATE"\n}\n',
        "outside/secret.hcl": 'locals {\n  secret = "do-not-read"\n}\n',
        "live/root.hcl": 'locals {\n  me = read_terragrunt_config(find_in_parent_folders("root.hcl"))\n}\n',
        "live/modules/app/main.tf": """
            variable "family" {
              type = string
            }
            resource "aws_ecs_task_definition" "app" {
              family = var.family
            }
            """,
        # includes itself, and reads a file that reads it back
        "live/self/terragrunt.hcl": """
            include "me" {
              path = "${get_terragrunt_dir()}/terragrunt.hcl"
            }
            locals {
              a = read_terragrunt_config("${get_terragrunt_dir()}/a.hcl")
            }
            terraform {
              source = "../modules//app"
            }
            inputs = {
              family = "self-${local.a.locals.x}"
            }
            """,
        "live/self/a.hcl": 'locals {\n  x = read_terragrunt_config("b.hcl").locals.y\n}\n',
        "live/self/b.hcl": 'locals {\n  y = read_terragrunt_config("a.hcl").locals.x\n}\n',
        # two units whose dependencies lead to each other
        "live/one/terragrunt.hcl": """
            terraform {
              source = "../modules//app"
            }
            dependency "two" {
              config_path = "../two"
            }
            inputs = {
              family = dependency.two.outputs.family
            }
            """,
        "live/two/terragrunt.hcl": """
            terraform {
              source = "../modules//app"
            }
            dependency "one" {
              config_path = "../one"
            }
            inputs = {
              family = dependency.one.outputs.family
            }
            """,
        # everything it names lies outside the scanned tree
        "live/escape/terragrunt.hcl": """
            include "root" {
              path = "../../../../../../../../${get_terragrunt_dir()}/../../outside/secret.hcl"
            }
            locals {
              s = read_terragrunt_config("../../outside/secret.hcl")
            }
            terraform {
              source = "../../outside"
            }
            inputs = {
              family = local.s.locals.secret
            }
            """,
        "live/escape2/terragrunt.hcl": """
            terraform {
              source = "../modules//app"
            }
            inputs = {
              family = read_terragrunt_config("../../outside/secret.hcl").locals.secret
            }
            """,
        "live/deep/terragrunt.hcl": "inputs = {\n  x = " + "[" * 3000 + "]" * 3000 + "\n}\n",
        "live/root_reader/terragrunt.hcl": """
            include "root" {
              path = find_in_parent_folders("root.hcl")
              expose = true
            }
            terraform {
              source = "../modules//app"
            }
            inputs = {
              family = include.root.locals.me
            }
            """,
    })
    r = run_cli("--no-config", "--explain", "--format", "json", str(live))
    assert r.returncode in (0, 1), r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stdout + r.stderr
    assert "do-not-read" not in r.stdout + r.stderr
    graph, _ = _graph(live)
    assert not any("outside" in r.file for r in graph.resources.values())
    families = {r.name.split(" (unit ")[1].rstrip(")").rsplit("/", 1)[-1]: r.get("family")
                for r in graph.of_kind("ecs.task_definition")}
    assert "reads itself" in shown(families["self"])  # a.hcl -> b.hcl -> a.hcl
    assert "a cycle" in shown(families["one"]) + shown(families["two"])
    assert "outside the paths this run reads" in shown(families["escape2"]) and "escape" not in families
    assert "reads itself" in shown(families["root_reader"])  # root.hcl reading root.hcl
    assert "deep" not in families


def test_a_terraform_only_run_does_not_read_terragrunt():
    code = ("import sys; from pullcheck.cli import main; rc = main(sys.argv[1:]); "
            "print('IMPORTED', [m for m in sys.modules if m.startswith('pullcheck.formats.terragrunt')]); "
            "raise SystemExit(rc)")
    r = subprocess.run([sys.executable, "-c", code, "--no-config", os.path.join("fixtures", "NET001")],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "IMPORTED []" in r.stdout, r.stderr


def test_explain_shows_where_each_input_of_a_unit_is_set(live_json):
    r = run_cli("--no-config", "--explain", LIVE)
    assert f"Terragrunt unit {LIVE}/prod/service: its module's variables take these inputs" in r.stdout
    assert f"  assign_public_ip = false (set at {LIVE}/prod/service/terragrunt.hcl:13)" in r.stdout
    assert f"  name = \"app-prod\" (set at {LIVE}/_envcommon/service.hcl:20)" in r.stdout  # from the include
    given = {i["name"]: i for i in live_json[1]["unit_inputs"][f"{LIVE}/prod/service"]}
    assert (given["assign_public_ip"]["file"], given["assign_public_ip"]["line"]) == (
        f"{LIVE}/prod/service/terragrunt.hcl", 13)


def test_the_same_bytes_in_one_process_and_in_batches():
    for fmt in ("text", "json"):
        one = run_cli("--no-config", "--jobs", "1", "--format", fmt, LIVE)
        two = run_cli("--no-config", "--jobs", "2", "--format", fmt, LIVE)
        assert (two.returncode, two.stdout, two.stderr) == (one.returncode, one.stdout, one.stderr)
        assert "NET001" in one.stdout


def test_a_unit_whose_module_cannot_be_read_is_said_not_to_be_linted():
    alone = f"{LIVE}/prod/service"
    r = run_cli("--no-config", alone)  # its root.hcl and _envcommon lie above the named folder
    assert r.returncode == 0
    assert r.stdout.startswith(f"pullcheck: {alone}/terragrunt.hcl is not linted: ")
    assert "find_in_parent_folders(\"root.hcl\") finds no such file" in r.stdout and "--root" in r.stdout
    r = run_cli("--no-config", "--root", LIVE, alone)  # the same unit, its includes and dependency readable
    assert r.returncode == 1 and "NET001" in r.stdout and "not linted" not in r.stdout


def test_a_fan_of_reads_is_read_once_per_file(tmp_path):
    """Each file reads the next one thirty times: read once each, or the run would never end."""
    files = {"modules/app/main.tf": 'variable "family" {\n  type = string\n}\n'
                                    'resource "aws_ecs_task_definition" "app" {\n  family = var.family\n}\n'}
    for i in range(12):
        reads = "\n".join(f'  a{k} = read_terragrunt_config("r{i + 1}.hcl").locals' for k in range(30))
        files[f"unit/r{i}.hcl"] = f"locals {{\n{reads}\n  leaf = \"level{i}\"\n}}\n"
    files["unit/r12.hcl"] = 'locals {\n  leaf = "bottom"\n}\n'
    files["unit/terragrunt.hcl"] = """
        locals {
          top = read_terragrunt_config("r0.hcl")
        }
        terraform {
          source = "../modules//app"
        }
        inputs = {
          family = local.top.locals.a0.a1.a2.leaf
        }
        """
    _write(tmp_path, files)
    graph, errors = _graph(tmp_path)
    [td] = graph.of_kind("ecs.task_definition")
    assert td.get("family") == "level3"
    # past eight files read inside one another the reading stops, with an unknown that says so
    deeper = "local.top.locals" + "".join(f".a{k}" for k in range(10)) + ".leaf"
    (tmp_path / "unit" / "terragrunt.hcl").write_text(files["unit/terragrunt.hcl"].replace(
        "local.top.locals.a0.a1.a2.leaf", deeper))
    graph, errors = _graph(tmp_path)
    [td] = graph.of_kind("ecs.task_definition")
    assert "nested more than 8 deep" in shown(td.get("family"))


def test_path_functions_answer_as_terragrunt_does_in_the_unit_and_in_what_it_includes(tmp_path):
    _write(tmp_path, {
        "live/modules/app/main.tf": """
            variable "family" {
              type = string
            }
            variable "cpu" {
              type = string
            }
            resource "aws_ecs_task_definition" "app" {
              family = var.family
              cpu    = var.cpu
            }
            """,
        "live/root.hcl": """
            inputs = {
              family = "${path_relative_to_include()}:${basename(get_parent_terragrunt_dir())}"
            }
            """,
        "live/prod/app/terragrunt.hcl": """
            include {
              path = find_in_parent_folders("root.hcl")
            }
            terraform {
              source = "${get_parent_terragrunt_dir()}/modules//app"
            }
            inputs = {
              cpu = "${basename(get_terragrunt_dir())}-${path_relative_from_include()}-${get_env("PULLCHECK_UNSET_X", "d")}"
            }
            """,
    })
    graph, errors = _graph(tmp_path / "live")
    assert errors == []
    [td] = graph.of_kind("ecs.task_definition")
    assert (td.get("family"), td.get("cpu")) == ("prod/app:live", "app-../..-d")


def test_a_registry_module_a_unit_names_is_read_from_its_model_and_findings_point_at_the_unit(tmp_path):
    _write(tmp_path, {
        "live/root.hcl": "locals {\n  env = \"prod\"\n}\n",
        "live/prod/vpc/terragrunt.hcl": """
            include "root" {
              path = find_in_parent_folders("root.hcl")
            }
            terraform {
              source = "tfr:///terraform-aws-modules/vpc/aws?version=5.8.1"
            }
            inputs = {
              name            = "prod"
              cidr            = "10.0.0.0/16"
              azs             = ["eu-west-1a", "eu-west-1b"]
              public_subnets  = ["10.0.1.0/24", "10.0.2.0/24"]
              private_subnets = ["10.0.11.0/24", "10.0.12.0/24"]
            }
            """,
        "live/prod/app/terragrunt.hcl": """
            terraform {
              source = "git::https://github.com/terraform-aws-modules/terraform-aws-ecs.git//modules/service?ref=v5.11.0"
            }
            dependency "vpc" {
              config_path = "../vpc"
            }
            inputs = {
              name        = "app"
              cluster_arn = "arn:aws:ecs:eu-west-1:123456789012:cluster/prod"
              container_definitions = {
                app = { image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0" }
              }
              subnet_ids       = dependency.vpc.outputs.public_subnets
              assign_public_ip = false
              security_group_rules = {
                egress_all = { type = "egress", from_port = 0, to_port = 0, protocol = "-1", cidr_blocks = ["0.0.0.0/0"] }
              }
            }
            """,
    })
    r = run_cli("--no-config", "--explain", "--format", "json", str(tmp_path / "live"))
    doc = json.loads(r.stdout)
    [site] = doc["launch_sites"]
    assert site["judged"] and site["file"].endswith("prod/app/terragrunt.hcl"), site
    found = {(f["rule"], os.path.basename(os.path.dirname(f["file"])), f["line"]) for f in doc["findings"]}
    assert found == {("NET001", "app", 15)}, doc["findings"]  # public subnets, no public IP: at the input
    assert "not downloaded" not in r.stdout + r.stderr and "terraform init" not in r.stdout


ECS_UNIT = """\
terraform {
  source = "tfr:///terraform-aws-modules/ecs/aws?version=5.12.0"
}
dependency "vpc" {
  config_path = "../vpc"
}
inputs = {
  cluster_name = "prod"
  fargate_capacity_providers = {
    FARGATE = { default_capacity_provider_strategy = { weight = 100 } }
  }
  services = {
    api = {
      cpu    = 512
      memory = 1024
      container_definitions = {
        api = { image = "public.ecr.aws/nginx/nginx:1.27", essential = true }
      }
      subnet_ids = dependency.vpc.outputs.public_subnets
      security_group_rules = {
        egress_all = { type = "egress", from_port = 0, to_port = 0, protocol = "-1", cidr_blocks = ["0.0.0.0/0"] }
      }
    }
    worker = {
      cpu         = 512
      memory      = 1024
      assign_public_ip = false
      container_definitions = {
        w = { image = "public.ecr.aws/nginx/nginx:1.27", essential = true }
      }
      subnet_ids = dependency.vpc.outputs.public_subnets
      security_group_rules = {
        egress_all = { type = "egress", from_port = 0, to_port = 0, protocol = "-1", cidr_blocks = ["0.0.0.0/0"] }
      }
    }
  }
}
"""


def test_a_unit_of_the_ecs_root_model_points_each_service_at_its_entry(tmp_path):
    _write(tmp_path, {"live/vpc/terragrunt.hcl": """\
terraform {
  source = "tfr:///terraform-aws-modules/vpc/aws?version=5.8.1"
}
inputs = {
  name            = "prod"
  cidr            = "10.0.0.0/16"
  azs             = ["eu-west-1a", "eu-west-1b"]
  public_subnets  = ["10.0.1.0/24", "10.0.2.0/24"]
  private_subnets = ["10.0.11.0/24", "10.0.12.0/24"]
}
""", "live/ecs/terragrunt.hcl": ECS_UNIT})
    doc = json.loads(run_cli("--no-config", "--format", "json", str(tmp_path / "live")).stdout)
    found = sorted((f["rule"], f["line"], f["column"], f["message"].split(" ")[0]) for f in doc)
    assert found == [("NET001", 13, 5, 'module.service["api"].aws_ecs_service.this[0]'),
                     ("NET001", 27, 26, 'module.service["worker"].aws_ecs_service.this[0]')], found
