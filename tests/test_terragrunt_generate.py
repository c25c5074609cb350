"""Terragrunt ``generate`` blocks: the files they write into the unit's working copy are part of the module
Terraform is given (a variable declared only there takes its type; a generated resource is linted, at its
place in the configuration), as ``if_exists`` says."""
import json
import textwrap

from conftest import run_cli

# a task in a public subnet with a public IP, whose image is built from a variable the module never declares
MODULE = """\
    resource "aws_vpc" "main" {
      cidr_block = "10.4.0.0/16"
    }

    resource "aws_subnet" "public" {
      vpc_id     = aws_vpc.main.id
      cidr_block = "10.4.1.0/24"
    }

    resource "aws_internet_gateway" "gw" {
      vpc_id = aws_vpc.main.id
    }

    resource "aws_route_table" "public" {
      vpc_id = aws_vpc.main.id
      route {
        cidr_block = "0.0.0.0/0"
        gateway_id = aws_internet_gateway.gw.id
      }
    }

    resource "aws_route_table_association" "public" {
      subnet_id      = aws_subnet.public.id
      route_table_id = aws_route_table.public.id
    }

    resource "aws_ecs_task_definition" "web" {
      family                   = "web"
      requires_compatibilities = ["FARGATE"]
      network_mode             = "awsvpc"
      cpu                      = "256"
      memory                   = "512"
      container_definitions = jsonencode([{
        name  = "web"
        image = "${var.registries[0]}/web:${local.tag}"
      }])
    }
    """
SERVICE = """\
    resource "aws_ecs_service" "web" {
      name            = "web"
      launch_type     = "FARGATE"
      task_definition = aws_ecs_task_definition.web.arn
      network_configuration {
        subnets          = [aws_subnet.public.id]
        assign_public_ip = %s
      }
    }
    """
ROOT_HCL = """\
    locals {
      registries = get_env("REGISTRIES", "[\\"public.ecr.aws/acme\\"]")
    }

    inputs = {
      registries = local.registries
    }

    generate "shared_variables" {
      path      = "shared_variables.tf"
      if_exists = "%s"
      contents  = file("./shared/variables.tf")
    }
    """
UNIT_HCL = """\
    include "root" {
      path = find_in_parent_folders("root.hcl")
    }

    terraform {
      source = "../../modules//web"
    }

    generate "locals" {
      path      = "locals.tf"
      if_exists = "overwrite_terragrunt"
      contents  = <<EOF
    locals {
      tag = "2.4"
    }
    EOF
    }
    """
SERVICE_BLOCK = """
    generate "service" {
      path      = "service.tf"
      if_exists = "overwrite"
      contents  = <<EOF
    %sEOF
    }
    """


def _write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def _repository(tmp_path, if_exists="overwrite", service_in_unit=False, module_variables=None):
    files = {"live/root.hcl": ROOT_HCL % if_exists,
             "live/shared/variables.tf": 'variable "registries" {\n  type = list(string)\n}\n',
             "live/web/terragrunt.hcl": UNIT_HCL, "modules/web/main.tf": MODULE}
    if service_in_unit:
        files["live/web/terragrunt.hcl"] = textwrap.dedent(UNIT_HCL) + textwrap.dedent(
            SERVICE_BLOCK % textwrap.dedent(SERVICE % "false"))
    else:
        files["modules/web/service.tf"] = SERVICE % "true"
    if module_variables is not None:
        files["modules/web/shared_variables.tf"] = module_variables
    _write(tmp_path, files)


def _lint(tmp_path, *args):
    r = run_cli("--no-config", "--explain", "--format", "json", *args, ".", cwd=str(tmp_path))
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout), r.stderr


def test_a_generated_variable_types_the_input_and_a_generated_local_is_read(tmp_path):
    _repository(tmp_path)
    doc, _ = _lint(tmp_path)
    # registries is given as Terragrunt gives it (TF_VAR_ text), read as the list the generated file declares
    assert doc["findings"] == []
    assert [(s["name"], s["judged"]) for s in doc["launch_sites"]] == [("aws_ecs_service.web (unit ./live/web)", True)]


def test_a_generated_resource_is_linted_where_the_configuration_writes_it(tmp_path):
    _repository(tmp_path, service_in_unit=True)
    doc, _ = _lint(tmp_path)
    [finding] = doc["findings"]
    text = (tmp_path / "live" / "web" / "terragrunt.hcl").read_text().splitlines()
    assert finding["rule"] == "NET001" and finding["file"] == "live/web/terragrunt.hcl"
    assert text[finding["line"] - 1].strip() == "assign_public_ip = false"
    assert text[finding["line"] - 1][finding["column"] - 1:].startswith("false")


def test_an_indented_heredoc_is_located_where_its_lines_are_written(tmp_path):
    """``<<-`` takes the indent off the contents: the finding is still at the column the file shows."""
    _repository(tmp_path, service_in_unit=True)
    unit = tmp_path / "live" / "web" / "terragrunt.hcl"
    text = unit.read_text()
    head, rest = text.rsplit("contents  = <<EOF\n", 1)  # the service's block, the last
    body, tail = rest.split("EOF\n", 1)
    unit.write_text(head + "contents  = <<-EOF\n" + "".join("      " + line + "\n" for line in body.splitlines())
                    + "  EOF\n" + tail)
    doc, _ = _lint(tmp_path)
    [finding] = doc["findings"]
    lines = unit.read_text().splitlines()
    assert lines[finding["line"] - 1].strip() == "assign_public_ip = false"
    assert lines[finding["line"] - 1][finding["column"] - 1:].startswith("false"), finding


def test_skip_keeps_the_modules_own_file(tmp_path):
    # the module declares the variable as a string: kept by "skip", the input stays the text it is given
    _repository(tmp_path, if_exists="skip", module_variables='variable "registries" {\n  type = string\n}\n')
    doc, err = _lint(tmp_path, "--verbose")
    assert [s["judged"] for s in doc["launch_sites"]] == [False]
    assert "shared_variables" not in err


def test_error_stops_terragrunt_and_is_named(tmp_path):
    _repository(tmp_path, if_exists="error", module_variables='variable "registries" {\n  type = string\n}\n')
    doc, err = _lint(tmp_path, "--verbose")
    assert [s["judged"] for s in doc["launch_sites"]] == [False]
    assert ('generate "shared_variables": the module already has shared_variables.tf and if_exists = "error" '
            'stops Terragrunt: the module\'s file is linted') in err


def test_a_file_written_over_with_contents_that_cannot_be_read_is_not_judged_but_named(tmp_path):
    files = {
        "modules/web/main.tf": MAIN_TF_FOR_UNREAD,
        "modules/web/service.tf": """\
            resource "aws_ecs_service" "web" {
              name            = "web"
              launch_type     = "FARGATE"
              task_definition = aws_ecs_task_definition.web.arn
              network_configuration {
                subnets          = [aws_subnet.public.id]
                assign_public_ip = false
              }
            }
            """,
        "live/web/service.tftpl": "# the service, rendered by Terragrunt\n",
        "live/web/terragrunt.hcl": """\
            terraform {
              source = "../../modules//web"
            }
            generate "service" {
              path      = "service.tf"
              if_exists = "overwrite"
              contents  = templatefile("service.tftpl", { public_ip = true })
            }
            """,
    }
    _write(tmp_path, files)
    doc = json.loads(run_cli("--no-config", "--explain", "--format", "json", str(tmp_path)).stdout)
    assert doc["findings"] == []  # the module's service.tf is not what Terraform is given: no NET001 on it
    [site] = doc["launch_sites"]
    assert not site["judged"] and "writes over service.tf with contents pullcheck cannot read" in \
        json.dumps(site["waits_on"])
    (tmp_path / "live/web/terragrunt.hcl").write_text(
        (tmp_path / "live/web/terragrunt.hcl").read_text().replace('"overwrite"', '"skip"'))
    doc = json.loads(run_cli("--no-config", "--explain", "--format", "json", str(tmp_path)).stdout)
    assert [f["rule"] for f in doc["findings"]] == ["NET001"]  # skip keeps the module's own file: judged


MAIN_TF_FOR_UNREAD = """\
    resource "aws_vpc" "v" {
      cidr_block = "10.0.0.0/16"
    }
    resource "aws_internet_gateway" "igw" {
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
        gateway_id = aws_internet_gateway.igw.id
      }
    }
    resource "aws_route_table_association" "public" {
      subnet_id      = aws_subnet.public.id
      route_table_id = aws_route_table.public.id
    }
    resource "aws_ecs_task_definition" "web" {
      family                   = "web"
      requires_compatibilities = ["FARGATE"]
      network_mode             = "awsvpc"
      cpu                      = 256
      memory                   = 512
      container_definitions    = jsonencode([{ name = "web", image = "nginx:1.27" }])
    }
    """
