"""Terraform read and evaluated as Terraform does: order-free module calls, modules as values, and the
idioms of public modules. Each case is the shape of a real module, cut down to what matters."""
import json
import textwrap

from conftest import run_cli


def _write(root, files):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def _lint(root, *extra):
    r = run_cli("--no-config", "--format", "json", *extra, str(root))
    assert "Traceback" not in r.stderr, r.stderr
    return r, (json.loads(r.stdout) if r.stdout.strip().startswith("[") else None)


NETWORK = """
resource "aws_vpc" "v" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "p" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_route_table" "p" { vpc_id = aws_vpc.v.id }
resource "aws_route_table_association" "p" {
  subnet_id      = aws_subnet.p.id
  route_table_id = aws_route_table.p.id
}
output "private_subnets" { value = [aws_subnet.p.id] }
"""

SERVICE = """
variable "subnets" {}
resource "aws_ecs_service" "s" {
  name        = "s"
  launch_type = "FARGATE"
  network_configuration {
    subnets = var.subnets
  }
}
"""


def test_a_call_reads_a_module_declared_after_it(tmp_path):
    """(cloudposse-style root: the service module is written before the network module it reads)"""
    _write(tmp_path, {
        "main.tf": """
            module "svc" {
              source  = "./svc"
              subnets = module.net.private_subnets
            }
            module "net" {
              source = "./net"
            }
        """,
        "net/main.tf": NETWORK, "svc/main.tf": SERVICE})
    r, found = _lint(tmp_path)
    # where the fix goes: the caller's `subnets = module.net.private_subnets` (line 3), the message naming
    # the resource in svc/main.tf; never at a line of net/main.tf
    assert [(f["rule"], f["file"].rsplit("/", 1)[-1], f["line"]) for f in found] == [("NET002", "main.tf", 3)]
    assert "(the resource is " in found[0]["message"] and "svc/main.tf:2)" in found[0]["message"]


def test_a_whole_module_as_a_value(tmp_path):
    """`output "vpc" { value = module.vpc }` read by the caller as module.network.vpc.private_subnets"""
    _write(tmp_path, {
        "main.tf": """
            module "network" {
              source = "./network"
            }
            module "svc" {
              source  = "./svc"
              subnets = module.network.vpc.private_subnets
            }
        """,
        "network/main.tf": """
            module "vpc" {
              source = "./vpc"
            }
            output "vpc" { value = module.vpc }
        """,
        "network/vpc/main.tf": NETWORK, "svc/main.tf": SERVICE})
    r, found = _lint(tmp_path)
    assert r.returncode == 1, r.stderr
    assert [f["rule"] for f in found] == ["NET002"]


FARGATE_TD = """
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
"""


def test_heredoc_with_unknown_interpolations_keeps_its_containers(tmp_path):
    """(hashicorp/turnerlabs style: `"awslogs-region": "${var.region}"`, an unquoted `${var.cpu}`)"""
    _write(tmp_path, {"main.tf": """
        variable "region" {}
        variable "tag" {}
        variable "cpu" {}
        resource "aws_ecs_task_definition" "t" {
          family = "app"
        """ + FARGATE_TD + """
          container_definitions = <<DEFINITION
        [
          {
            "name": "app",
            "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:${var.tag}",
            "cpu": ${var.cpu},
            "logConfiguration": {
              "logDriver": "awslogs",
              "options": {"awslogs-region": "${var.region}", "awslogs-group": "g", "awslogs-stream-prefix": "p"}
            }
          }
        ]
        DEFINITION
        }
        """})
    r, found = _lint(tmp_path)
    assert sorted((f["rule"], f["line"]) for f in found) == [("IAM001", 16), ("IAM002", 19)]


def test_template_file_and_templatefile_are_rendered(tmp_path):
    """(older modules: data "template_file" with file(); newer: templatefile() with a vars map)"""
    _write(tmp_path, {
        "templates/app.json.tpl": """
            [{"name": "app", "image": "${image}",
              "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-region": "${region}",
                "awslogs-group": "g", "awslogs-stream-prefix": "p"}}}]
        """,
        "main.tf": """
            variable "region" {}
            resource "aws_ecr_repository" "app" { name = "app" }
            data "template_file" "app" {
              template = file("${path.module}/templates/app.json.tpl")
              vars = {
                image  = aws_ecr_repository.app.repository_url
                region = var.region
              }
            }
            resource "aws_ecs_task_definition" "a" {
              family                = "a"
              container_definitions = data.template_file.app.rendered
            """ + FARGATE_TD + """
            }
            resource "aws_ecs_task_definition" "b" {
              family                = "b"
              container_definitions = templatefile("${path.module}/templates/app.json.tpl", {
                image = aws_ecr_repository.app.name, region = "eu-west-1" })
            """ + FARGATE_TD + """
            }
        """})
    r, found = _lint(tmp_path)
    got = sorted((f["rule"], f["line"]) for f in found)
    # a: the role rules at the attribute (the template's lines are in another file); b: the name as image
    assert got == [("IAM001", 12), ("IAM002", 12), ("IAM002", 22), ("IMG002", 22)], got


def test_heredoc_interpolating_a_repository_name(tmp_path):
    _write(tmp_path, {"main.tf": """
        resource "aws_ecr_repository" "app" { name = "app" }
        resource "aws_ecs_task_definition" "a" {
          family             = "a"
          execution_role_arn = "arn:aws:iam::123456789012:role/x"
        """ + FARGATE_TD + """
          container_definitions = <<EOT
        [{"name": "app", "image": "${aws_ecr_repository.app.name}:latest"}]
        EOT
        }
        """})
    r, found = _lint(tmp_path)
    assert [(f["rule"], f["line"]) for f in found] == [("IMG002", 12)]


def test_dynamic_blocks_and_string_counts(tmp_path):
    """(umotif/terraform-aws-ecs-fargate style: `dynamic "network_configuration"` on a condition,
    `dynamic "capacity_provider_strategy"` over a variable with an iterator; `count = var.az_count` with
    the default "2", which Terraform converts to a number)"""
    _write(tmp_path, {"main.tf": """
        variable "network_mode" { default = "awsvpc" }
        variable "az_count" { default = "2" }
        variable "strategies" {
          default = [{ provider = "FARGATE_SPOT", weight = 1 }]
        }
        resource "aws_vpc" "v" { cidr_block = "10.0.0.0/16" }
        resource "aws_subnet" "private" {
          count      = var.az_count
          vpc_id     = aws_vpc.v.id
          cidr_block = "10.0.${count.index}.0/24"
        }
        resource "aws_route_table" "private" { vpc_id = aws_vpc.v.id }
        resource "aws_route_table_association" "private" {
          count          = var.az_count
          subnet_id      = aws_subnet.private[count.index].id
          route_table_id = aws_route_table.private.id
        }
        resource "aws_ecs_service" "s" {
          name = "s"
          dynamic "capacity_provider_strategy" {
            for_each = var.strategies
            iterator = cps
            content {
              capacity_provider = cps.value.provider
              weight            = cps.value.weight
            }
          }
          dynamic "network_configuration" {
            for_each = var.network_mode == "awsvpc" ? [1] : []
            content {
              subnets = aws_subnet.private[*].id
            }
          }
        }
        """})
    r, found = _lint(tmp_path)
    assert [(f["rule"], f["line"]) for f in found] == [("NET002", 31)]


def test_a_dynamic_block_over_an_unknown_collection_is_not_judged(tmp_path):
    _write(tmp_path, {"main.tf": """
        variable "nets" {}
        resource "aws_vpc" "v" { cidr_block = "10.0.0.0/16" }
        resource "aws_subnet" "p" {
          vpc_id     = aws_vpc.v.id
          cidr_block = "10.0.1.0/24"
        }
        resource "aws_route_table" "p" { vpc_id = aws_vpc.v.id }
        resource "aws_route_table_association" "p" {
          subnet_id      = aws_subnet.p.id
          route_table_id = aws_route_table.p.id
        }
        resource "aws_ecs_service" "s" {
          name        = "s"
          launch_type = "FARGATE"
          dynamic "network_configuration" {
            for_each = var.nets
            content {
              subnets = [aws_subnet.p.id]
            }
          }
        }
        """})
    r, found = _lint(tmp_path)
    assert r.returncode == 0 and found == []
    # the same service with the block written out is judged: the unknown for_each is what stops it
    main = tmp_path / "main.tf"
    main.write_text(main.read_text().replace("var.nets", "[1]"))
    r, found = _lint(tmp_path)
    assert [f["rule"] for f in found] == ["NET002"]


BASE_NET = NETWORK.replace('output "private_subnets" { value = [aws_subnet.p.id] }', "")


def test_family_revision_links_the_task_definition(tmp_path):
    """(the provider's documented idiom: family:max(revision, data.aws_ecs_task_definition.t.revision))"""
    _write(tmp_path, {"main.tf": BASE_NET + """
        data "aws_ecs_task_definition" "t" {
          task_definition = aws_ecs_task_definition.t.family
        }
        resource "aws_ecs_task_definition" "t" {
          family                = "app"
          container_definitions = jsonencode([{ name = "app", image = "nginx:1.27" }])
        """ + FARGATE_TD + """
        }
        resource "aws_ecs_service" "s" {
          name            = "s"
          launch_type     = "FARGATE"
          task_definition = "${aws_ecs_task_definition.t.family}:${max(aws_ecs_task_definition.t.revision, data.aws_ecs_task_definition.t.revision)}"
          network_configuration {
            subnets = [aws_subnet.p.id]
          }
        }
        """})
    r = run_cli("--no-config", "--explain", str(tmp_path))
    assert "Template(" not in r.stdout and "task definition: aws_ecs_task_definition.t" in r.stdout, r.stdout
    assert "images: nginx:1.27" in r.stdout or "nginx:1.27" in r.stdout


def test_family_name_links_in_cloudformation_and_step_functions(tmp_path):
    _write(tmp_path, {"stack.yaml": """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Task:
            Type: AWS::ECS::TaskDefinition
            Properties:
              Family: web
              RequiresCompatibilities: [FARGATE]
              NetworkMode: awsvpc
              Cpu: "256"
              Memory: "512"
              ContainerDefinitions:
                - Name: web
                  Image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1
          Service:
            Type: AWS::ECS::Service
            Properties:
              LaunchType: FARGATE
              TaskDefinition: web:3
              NetworkConfiguration:
                AwsvpcConfiguration:
                  Subnets: [subnet-0123456789abcdef0]
        """})
    r = run_cli("--no-config", "--explain", str(tmp_path / "stack.yaml"))
    assert "task definition: Task" in r.stdout, r.stdout


def test_cluster_default_capacity_provider_strategy(tmp_path):
    """A service with neither launch type nor strategy runs on its cluster's default strategy."""
    _write(tmp_path, {"main.tf": BASE_NET + """
        resource "aws_ecs_cluster" "c" { name = "main" }
        resource "aws_ecs_cluster_capacity_providers" "c" {
          cluster_name       = aws_ecs_cluster.c.name
          capacity_providers = ["FARGATE", "FARGATE_SPOT"]
          default_capacity_provider_strategy {
            capacity_provider = "FARGATE"
          }
        }
        resource "aws_ecs_service" "s" {
          name    = "s"
          cluster = aws_ecs_cluster.c.id
          network_configuration {
            subnets = [aws_subnet.p.id]
          }
        }
        """})
    r, found = _lint(tmp_path)
    assert [f["rule"] for f in found] == ["NET002"]
    main = tmp_path / "main.tf"
    main.write_text(main.read_text().replace('capacity_provider = "FARGATE"', 'capacity_provider = "ec2"'))
    r, found = _lint(tmp_path)
    assert found == []


def test_cluster_default_strategy_in_cloudformation(tmp_path):
    template = """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Cluster:
            Type: AWS::ECS::Cluster
          Providers:
            Type: AWS::ECS::ClusterCapacityProviderAssociations
            Properties:
              Cluster: !Ref Cluster
              CapacityProviders: [FARGATE]
              DefaultCapacityProviderStrategy:
                - CapacityProvider: FARGATE
          Vpc:
            Type: AWS::EC2::VPC
            Properties: {CidrBlock: 10.0.0.0/16}
          Subnet:
            Type: AWS::EC2::Subnet
            Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}
          Table:
            Type: AWS::EC2::RouteTable
            Properties: {VpcId: !Ref Vpc}
          Assoc:
            Type: AWS::EC2::SubnetRouteTableAssociation
            Properties: {SubnetId: !Ref Subnet, RouteTableId: !Ref Table}
          Service:
            Type: AWS::ECS::Service
            Properties:
              Cluster: !Ref Cluster
              NetworkConfiguration:
                AwsvpcConfiguration:
                  Subnets: [!Ref Subnet]
        """
    _write(tmp_path, {"stack.yaml": template})
    r, found = _lint(tmp_path)
    assert [f["rule"] for f in found] == ["NET002"]


CDKTF_STACK = """
{
  "//": {"metadata": {"stackName": "app"}},
  "provider": {"aws": [{"region": "eu-west-1"}]},
  "resource": {
    "aws_vpc": {"v": {"cidr_block": "10.0.0.0/16"}},
    "aws_subnet": {"p": {"vpc_id": "${aws_vpc.v.id}", "cidr_block": "10.0.1.0/24"}},
    "aws_route_table": {"p": {"vpc_id": "${aws_vpc.v.id}"}},
    "aws_route_table_association": {"p": {"subnet_id": "${aws_subnet.p.id}",
                                          "route_table_id": "${aws_route_table.p.id}"}},
    "aws_ecs_task_definition": {"t": {
      "family": "app", "requires_compatibilities": ["FARGATE"],
      "network_mode": "awsvpc", "cpu": "256", "memory": "512",
      "container_definitions": "${jsonencode([{\\"name\\" = \\"app\\", \\"image\\" = \\"123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1\\"}])}"
    }},
    "aws_ecs_service": {"s": {
      "name": "s", "launch_type": "FARGATE",
      "task_definition": "${aws_ecs_task_definition.t.arn}",
      "network_configuration": {"subnets": ["${aws_subnet.p.id}"]}
    }}
  }
}
"""


def test_terraform_json_syntax_as_cdktf_writes_it(tmp_path):
    """cdktf.out/stacks/<stack>/cdk.tf.json: a private subnet without egress and no execution role"""
    _write(tmp_path, {"cdktf.out/stacks/app/cdk.tf.json": CDKTF_STACK})
    r, found = _lint(tmp_path)
    assert r.returncode == 1, r.stderr
    got = sorted((f["rule"], f["file"].rsplit("/", 1)[-1], f["line"]) for f in found)
    assert got == [("IAM001", "cdk.tf.json", 13), ("NET002", "cdk.tf.json", 18)], got
    # named explicitly, the file lints its folder too
    r, found = _lint(tmp_path / "cdktf.out" / "stacks" / "app" / "cdk.tf.json")
    assert sorted(f["rule"] for f in found) == ["IAM001", "NET002"]


def test_json_and_native_syntax_in_one_module(tmp_path):
    """A .tf.json override beside .tf files (what generators write next to hand-written code)"""
    _write(tmp_path, {"main.tf": BASE_NET + """
        resource "aws_ecs_service" "s" {
          name        = "s"
          launch_type = "FARGATE"
          network_configuration {
            subnets = local.subnets
          }
        }
        """, "generated.tf.json": '{"locals": {"subnets": ["${aws_subnet.p.id}"]}}'})
    r, found = _lint(tmp_path)
    assert [f["rule"] for f in found] == ["NET002"]


def test_windows_line_endings(tmp_path):
    import os

    from conftest import FIXTURES

    text = open(os.path.join(FIXTURES, "NET002", "bad_no_default_route", "main.tf"), encoding="utf-8").read()
    (tmp_path / "main.tf").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    r, found = _lint(tmp_path)
    want = [i for i, line in enumerate(text.splitlines(), 1) if "expect: NET002" in line]
    assert [(f["rule"], f["line"]) for f in found] == [("NET002", n) for n in want]


def test_a_suppression_on_a_module_block_covers_what_the_call_produces(tmp_path):
    _write(tmp_path, {
        "main.tf": """
            module "net" {
              source = "./net"
            }
            # pullcheck: ignore[NET002] this legacy service is being moved to the new VPC
            module "svc" {
              source  = "./svc"
              subnets = module.net.private_subnets
            }
        """,
        "net/main.tf": NETWORK, "svc/main.tf": SERVICE})
    r, found = _lint(tmp_path)
    assert r.returncode == 0 and found == [], found  # suppressed, and the suppression counts as used
    main = tmp_path / "main.tf"
    main.write_text(main.read_text().replace("# pullcheck: ignore[NET002] this legacy", "# a legacy"))
    r, found = _lint(tmp_path)
    assert [f["rule"] for f in found] == ["NET002"]


def test_a_suppression_in_the_module_covers_the_finding_reported_at_the_caller(tmp_path):
    """The finding moves to the caller's argument (where the fix goes); a comment the module's author put at
    the attribute inside the module still covers it, and is not reported as unused."""
    service = SERVICE.replace("    subnets = var.subnets",
                              "    # pullcheck: ignore[NET002] runs only in the isolated test VPC\n"
                              "    subnets = var.subnets")
    assert service != SERVICE
    _write(tmp_path, {
        "main.tf": """
            module "net" {
              source = "./net"
            }
            module "svc" {
              source  = "./svc"
              subnets = module.net.private_subnets
            }
        """,
        "net/main.tf": NETWORK, "svc/main.tf": service})
    r, found = _lint(tmp_path)
    assert r.returncode == 0 and found == [], found
    _write(tmp_path, {"svc/main.tf": SERVICE})
    r, found = _lint(tmp_path)
    assert [(f["rule"], f["file"].rsplit("/", 1)[-1]) for f in found] == [("NET002", "main.tf")]
    assert "svc/main.tf" not in found[0]["file"]  # at the caller's argument
