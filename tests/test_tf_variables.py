"""Terraform variables as Terraform assigns them: the variables files in Terraform's order (JSON ones too),
override files merged, type constraints and optional() attributes applied, nullable honoured, and what a
run gives the root modules (--var-file, --var, TF_VAR_). Expected values are what Terraform 1.11.4 gives
(terraform console) for the same files; tests/data/tf_oracle holds them as cases for the differential
harness."""
import os
import shutil
import textwrap

import pytest

from conftest import ROOT, lint_paths, run_cli
from pullcheck.formats.terraform.modules import root_module
from pullcheck.formats.terraform.syntax import read
from pullcheck.formats.terraform.types import BadType, Mismatch, convert, parse_type
from pullcheck.formats.terraform.variables import Given
from pullcheck.graph.model import Graph
from pullcheck.graph.values import Unknown
from pullcheck.sources import scope

DATA = os.path.join(ROOT, "tests", "data", "tf_variables")
ORACLE = os.path.join(ROOT, "tests", "data", "tf_oracle")


def _root(folder, given=None, roots=None):
    """The root module in ``folder``, read as a run of ``roots`` (the folder by default) reads it, given
    ``given``; and the errors of reading it."""
    scope.set_roots([str(r) for r in roots or [folder]])
    graph = Graph()
    graph.inputs.tf_given = given
    return root_module(str(folder), graph)


def _value(module, expr):
    return module.evaluator({}).eval(read(f"x = {expr}\n", "x.tf").attrs["x"])


def _net001(folder, rules):
    return [(os.path.basename(f.file), f.line) for f in lint_paths([str(folder)], rules, "NET001")]


@pytest.fixture
def project(tmp_path):
    """A copy of a folder of tests/data/tf_variables, to change."""
    def copy(name):
        shutil.copytree(os.path.join(DATA, name), tmp_path / name)
        return tmp_path / name
    return copy


# -- the false NET001 of a public IP that a file other than main.tf turns on --------------------------------

@pytest.mark.parametrize("case,decides", [
    ("auto_tfvars", "prod.auto.tfvars"),  # read after terraform.tfvars, not before
    ("tfvars_json", "terraform.tfvars.json"),
    ("override_file", "ip_override.tf"),  # a variable's default, merged into service.tf
    ("override_resource", "network_override.tf"),  # a resource's nested block, replaced whole
])
def test_the_file_that_turns_the_public_ip_on_is_read(project, rules, case, decides):
    folder = project(case)
    assert _net001(folder, rules) == []
    os.remove(folder / decides)  # the finding stands without it: the file is what clears it
    assert [line for _, line in _net001(folder, rules)] == [53]


def test_an_override_that_turns_the_public_ip_off_is_reported_where_it_is_written(project, rules):
    folder = project("override_resource")
    (folder / "service.tf").write_text((folder / "service.tf").read_text().replace(
        "assign_public_ip = false", "assign_public_ip = true"))
    (folder / "network_override.tf").write_text((folder / "network_override.tf").read_text().replace(
        "assign_public_ip = true", "assign_public_ip = false"))
    assert _net001(folder, rules) == [("network_override.tf", 5)]


def test_a_json_override_file_merges_the_same(project, rules):
    folder = project("override_resource")
    os.remove(folder / "network_override.tf")
    (folder / "network_override.tf.json").write_text(
        '{"resource": {"aws_ecs_service": {"app": {"network_configuration": {\n'
        '  "subnets": "${aws_subnet.public[*].id}", "assign_public_ip": true}}}}}\n')
    assert _net001(folder, rules) == []


# -- precedence ----------------------------------------------------------------------------------------

def test_variables_files_in_terraforms_order():
    module, errors = _root(os.path.join(ORACLE, "variables_precedence"))
    assert errors == []
    got = {n: _value(module, f"var.{n}") for n in (
        "only_default", "tfvars", "tfvars_json", "auto_a", "auto_b_json", "auto_c", "auto_upper", "port",
        "nullable_default", "not_nullable", "not_nullable_list", "untyped_number", "subnets")}
    assert got == {
        "only_default": "default", "tfvars": "terraform.tfvars", "tfvars_json": "terraform.tfvars.json",
        "auto_a": "a.auto.tfvars", "auto_b_json": "b.auto.tfvars.json", "auto_c": "c.auto.tfvars",
        "auto_upper": "b.auto.tfvars.json", "port": 8081, "nullable_default": None, "not_nullable": "default",
        "not_nullable_list": ["a"], "untyped_number": "2", "subnets": ["subnet-1a"]}


def test_the_runs_files_and_values_come_last_in_command_line_order(tmp_path):
    shutil.copytree(os.path.join(ORACLE, "variables_precedence"), tmp_path / "m")
    (tmp_path / "one.tfvars").write_text('auto_c = "one.tfvars"\ntfvars = "one.tfvars"\n')
    (tmp_path / "two.tfvars.json").write_text('{"auto_c": "two.tfvars.json"}\n')
    order = (("file", str(tmp_path / "one.tfvars")), ("var", "auto_c=cli"), ("file", str(tmp_path / "two.tfvars.json")))
    module, errors = _root(tmp_path / "m", Given(order), [tmp_path])
    assert errors == []
    assert [_value(module, "var.auto_c"), _value(module, "var.tfvars")] == ["two.tfvars.json", "one.tfvars"]
    module, _ = _root(tmp_path / "m", Given(order[:2]), [tmp_path])
    assert _value(module, "var.auto_c") == "cli"


def test_command_line_text_is_read_as_the_variables_type_says(tmp_path):
    (tmp_path / "main.tf").write_text(textwrap.dedent('''\
        variable "untyped" {}
        variable "text" { type = string }
        variable "port" { type = number }
        variable "anything" { type = any }
        variable "names" { type = list(string) }
        variable "bad" { type = number }
        '''))
    given = Given(tuple(("var", v) for v in ("untyped=5", "text=[1]", "port=8080", "anything={a = [1, true]}",
                                             'names=["a", 1]', "bad=eighty")))
    module, _ = _root(tmp_path, given)
    assert [_value(module, f"var.{n}") for n in ("untyped", "text", "port", "anything", "names")] == [
        "5", "[1]", 8080, {"a": [1, True]}, ["a", "1"]]
    bad = _value(module, "var.bad")
    assert isinstance(bad, Unknown) and "-var bad" in bad.origin and "number" in bad.origin


def test_tf_var_environment_only_when_asked(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text('variable "public_ip" { default = false }\nvariable "n" { type = number }\n')
    (tmp_path / "terraform.tfvars").write_text("n = 2\n")
    monkeypatch.setenv("TF_VAR_public_ip", "true")
    monkeypatch.setenv("TF_VAR_n", "1")
    module, _ = _root(tmp_path)
    assert [_value(module, "var.public_ip"), _value(module, "var.n")] == [False, 2]
    module, _ = _root(tmp_path, Given(environment=True))
    assert [_value(module, "var.public_ip"), _value(module, "var.n")] == ["true", 2]  # the file comes after


def test_a_var_file_outside_the_run_is_not_read(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.tf").write_text('variable "public_ip" { default = false }\n')
    (tmp_path / "outside.tfvars").write_text("public_ip = true\n")
    module, errors = _root(tmp_path / "app", Given((("file", str(tmp_path / "outside.tfvars")),)))
    assert _value(module, "var.public_ip") is False
    assert [(os.path.basename(p), e.message) for p, e in errors] == [
        ("outside.tfvars", "a --var-file outside the paths this run reads: not read")]


# -- what Terraform refuses is unknown, naming it -----------------------------------------------------------

def test_values_that_do_not_convert_are_unknown(tmp_path):
    (tmp_path / "main.tf").write_text(textwrap.dedent('''\
        variable "port" { type = number }
        variable "names" { type = list(string) }
        variable "net" { type = object({ subnets = list(string) }) }
        variable "mixed" { type = list(any) }
        variable "called" { default = "x" }
        variable "required" { nullable = false }
        variable "bad_type" {
          type    = tuple([optional(string)])
          default = ["x"]
        }
        '''))
    (tmp_path / "prod.auto.tfvars").write_text(textwrap.dedent('''\
        port     = "eighty"
        names    = { a = "b" }
        net      = {}
        mixed    = [1, true]
        called   = upper("y")
        required = null
        '''))
    module, errors = _root(tmp_path)
    assert errors == []
    got = {n: _value(module, f"var.{n}") for n in ("port", "names", "net", "mixed", "called", "required",
                                                   "bad_type")}
    assert all(isinstance(v, Unknown) for v in got.values()), got
    assert got["port"].origin == "variable port: the value in prod.auto.tfvars is not a number: a number is required"
    assert got["names"].origin.endswith("list of string required")
    assert got["net"].origin.endswith("attribute 'subnets' is required")
    assert got["mixed"].origin.endswith("all list elements must have the same type")
    assert "calls a function" in got["called"].origin
    assert "nullable = false" in got["required"].origin
    assert "type constraint is not valid" in got["bad_type"].origin


def test_a_variables_file_with_a_block_is_an_error(tmp_path):
    (tmp_path / "main.tf").write_text('variable "a" { default = 1 }\n')
    (tmp_path / "terraform.tfvars").write_text('a = 2\nlocals {\n  b = 1\n}\n')
    module, errors = _root(tmp_path)
    assert [e.message for _, e in errors] == ["a variables file sets variables only: block locals is not expected"]
    assert _value(module, "var.a") == 1


# -- a called module's inputs --------------------------------------------------------------------------

def test_a_called_modules_inputs_are_converted_filled_and_nullable(tmp_path):
    (tmp_path / "child").mkdir()
    (tmp_path / "child" / "main.tf").write_text(textwrap.dedent('''\
        variable "not_nullable" {
          type     = string
          default  = "d"
          nullable = false
        }
        variable "nullable" { default = "d" }
        variable "settings" {
          type    = object({ a = optional(number, 3), b = optional(list(string), ["x"]) })
          default = null
        }
        variable "defaults" {
          type    = object({ a = optional(number, 3) })
          default = {}
        }
        variable "port" { type = number }
        output "all" { value = [var.not_nullable, var.nullable, var.settings, var.defaults] }
        output "port" { value = var.port }
        '''))
    (tmp_path / "main.tf").write_text(textwrap.dedent('''\
        module "c" {
          source       = "./child"
          not_nullable = null
          nullable     = null
          settings     = { b = [1] }
          port         = "eighty"
        }
        '''))
    module, _ = _root(tmp_path)
    assert _value(module, "module.c.all") == ["d", None, {"a": 3, "b": ["1"]}, {"a": 3}]
    assert _value(module, "module.c.port") == Unknown(
        "variable port: the module call's argument is not a number: a number is required")


# -- the oracle's cases, as Terraform 1.11.4 gives them ----------------------------------------------------

def test_types_as_terraform_converts_them():
    module, _ = _root(os.path.join(ORACLE, "variables_types"))
    cases = {
        "var.port + 1": 8081, "var.exponent": 1000, "var.text_from_fraction": "0.25", "var.bool_from_one": True,
        "var.tags": {"port": "8080", "public": "false", "name": "app"}, "var.zones": ["10", "9", "a", "b"],
        "var.weights": [1.5, 9, 10], "var.flags": [False, True], "var.mixed_any": ["1", "a", "true"],
        "var.map_of_lists": {"a": ["1", "x"], "b": ["true"]}, "var.objects_any": [{"a": "1"}, {"b": "x"}],
        "var.plain_any": [1, "a", {"b": True}], "var.object": {"name": "1", "port": 80, "extra": None},
        "var.pair": ["1", 2, False], "var.object_from_tfvars": {"enabled": True, "count": 2},
        "var.list_from_tfvars": ["1", "true", "x"],
    }
    assert {e: _value(module, e) for e in cases} == cases


def test_optional_attributes_filled():
    module, _ = _root(os.path.join(ORACLE, "variables_optional"))
    assert _value(module, "var.containers") == {
        "app": {"image": "nginx:1.27", "essential": True, "cpu": 256,
                "port_mappings": [{"containerPort": 80, "protocol": "tcp"},
                                  {"containerPort": 443, "protocol": "udp"}],
                "log": {"driver": "awslogs", "options": {}}},
        "sidecar": {"image": "fluent-bit", "essential": False, "cpu": 256, "port_mappings": [],
                    "log": {"driver": "awslogs", "options": {"region": "eu-west-1"}}}}
    assert _value(module, "var.nested_default") == {"settings": {"retries": 3, "delay": 5}}
    assert _value(module, "var.null_attribute") == {"mode": "awsvpc"}
    assert _value(module, "var.whole_null") is None
    assert _value(module, "var.converted_default") == {"port": 8080, "label": "7"}
    assert _value(module, "var.from_tfvars") == {"cluster": "main", "service": {"desired": 1, "public_ip": True}}


def test_overrides_merged_in_name_order():
    module, errors = _root(os.path.join(ORACLE, "overrides"))
    assert errors == []
    assert {e: _value(module, e) for e in ("local.name", "local.chain", "local.image", "var.image_tag",
                                           "var.retries", "var.subnets", "var.mode", "var.public_ip")} == {
        "local.name": "a_override.tf", "local.chain": "override.tf", "local.image": "eu-west-1/nginx:2.0",
        "var.image_tag": "2.0", "var.retries": 5, "var.subnets": ["1", "2"], "var.mode": "awsvpc",
        "var.public_ip": True}


# -- type constraints ------------------------------------------------------------------------------------

def _type(text):
    return parse_type(read(f"t = {text}\n", "t.tf").attrs["t"], lambda t: _value(_root_of_nothing(), t.text()))


def _root_of_nothing():
    from pullcheck.formats.terraform.evaluate import Module

    return Module(".")


def test_a_real_modules_type_constraint():
    # as terraform-aws-modules/ecs's service module writes its load balancers and volumes
    ty = _type(textwrap.dedent('''\
        map(object({
          target_group_arn = string
          container_name   = optional(string)
          container_port   = optional(number, 80)
          efs_volume_configuration = optional(object({
            file_system_id     = string
            transit_encryption = optional(string, "ENABLED")
            authorization_config = optional(object({
              iam = optional(string)
            }))
          }))
          "quoted-name" = optional(set(string), [])
        }))'''))
    got = convert({"web": {"target_group_arn": "arn", "efs_volume_configuration": {"file_system_id": "fs"}}}, ty)
    assert got == {"web": {"target_group_arn": "arn", "container_name": None, "container_port": 80,
                           "efs_volume_configuration": {"file_system_id": "fs", "transit_encryption": "ENABLED",
                                                        "authorization_config": None},
                           "quoted-name": []}}


@pytest.mark.parametrize("text", ['"string"', "tuple([optional(string)])", "list(strin)", "object(string)",
                                  "object({ a = optional(number, \"x\") })"])
def test_type_constraints_terraform_refuses(text):
    with pytest.raises(BadType):
        _type(text)


def test_unknowns_pass_any_type():
    ty = _type("list(number)")
    got = convert([Unknown("a data source"), "2"], ty)
    assert got == [Unknown("a data source"), 2]
    with pytest.raises(Mismatch):
        convert(["x"], ty)


def test_converted_lists_keep_where_their_items_are_written(tmp_path):
    (tmp_path / "main.tf").write_text('variable "ports" {\n  type = list(number)\n  default = [\n    "80",\n'
                                      '    443,\n  ]\n}\n')
    module, _ = _root(tmp_path)
    got = _value(module, "var.ports")
    assert got == [80, 443] and [p[0] for p in got.ipos] == [4, 5]


# -- the command line -------------------------------------------------------------------------------------

def test_var_file_and_var_on_the_command_line_in_their_order():
    folder = os.path.join(DATA, "command_line")
    env_file = os.path.join(folder, "env", "prod.tfvars")

    def net001(*extra, paths=(folder,)):
        r = run_cli("--no-config", "--select", "NET001", "--format", "parseable", *paths, *extra)
        assert r.returncode in (0, 1), r.stderr
        return [line.split(":")[1] for line in r.stdout.splitlines() if " NET001 " in line]

    assert net001() == ["53"]
    assert net001("--var-file", env_file) == []
    assert net001("--var-file", env_file, "--var", "public_ip=false") == ["53"]
    assert net001("--var", "public_ip=false", "--var-file", env_file) == []
    # forked workers are given the same: the other folder's prod.auto.tfvars still comes before --var
    both = (folder, os.path.join(DATA, "auto_tfvars"))
    assert net001("--var", "public_ip=false", "--jobs", "2", paths=both) == ["53", "53"]
    assert net001("--var-file", env_file, "--jobs", "2", paths=both) == []


@pytest.mark.parametrize("args,said", [
    (["--var", "public_ip"], "not NAME=VALUE"),
    (["--var-file", "no/such.tfvars"], "--var-file no/such.tfvars: no such file"),
])
def test_command_line_mistakes_stop_the_run(args, said):
    r = run_cli("--no-config", os.path.join(DATA, "command_line"), *args)
    assert r.returncode == 2 and said in r.stderr


def test_a_var_file_outside_the_paths_is_refused(tmp_path):
    (tmp_path / "outside.tfvars").write_text("public_ip = true\n")
    r = run_cli("--no-config", os.path.join(DATA, "command_line"), "--var-file", str(tmp_path / "outside.tfvars"))
    assert r.returncode == 2 and "outside the paths this run reads" in r.stderr


def test_the_configurations_terraform_table(project):
    folder = project("command_line")
    assert " NET001 " in run_cli(str(folder), cwd=str(folder)).stdout
    (folder / ".pullcheck.toml").write_text('[terraform]\nvar-files = ["env/prod.tfvars"]\n')
    r = run_cli(str(folder), cwd=str(folder))
    assert r.returncode in (0, 1) and " NET001 " not in r.stdout, r.stdout + r.stderr
    (folder / ".pullcheck.toml").write_text('[terraform]\nvars = { public_ip = "false" }\nenv-vars = "yes"\n')
    r = run_cli(str(folder), cwd=str(folder))
    assert r.returncode == 2 and ".pullcheck.toml:3: terraform.env-vars: must be true or false" in r.stderr


def test_container_definitions_from_an_override_file_are_reported_there(tmp_path, rules):
    shutil.copy(os.path.join(ROOT, "fixtures", "IMG002", "good_repository_url", "main.tf"), tmp_path / "main.tf")
    (tmp_path / "task_override.tf").write_text(textwrap.dedent('''\
        resource "aws_ecs_task_definition" "app" {
          container_definitions = jsonencode([
            {
              name  = "app"
              image = aws_ecr_repository.app.name
            }
          ])
        }
        '''))
    found = lint_paths([str(tmp_path)], rules, "IMG002")
    assert [(os.path.basename(f.file), f.line) for f in found] == [("task_override.tf", 5)]


def test_an_override_of_nothing_is_said(project):
    folder = project("override_file")
    (folder / "z_override.tf").write_text('locals {\n  undeclared = 1\n}\n\nresource "aws_ecs_service" "other" {\n'
                                          '  launch_type = "EC2"\n}\n')
    module, errors = _root(folder)
    assert [(os.path.basename(p), e.line, e.message) for p, e in errors] == [
        ("z_override.tf", 1, "local.undeclared overrides nothing: an override file only changes what the "
                             "module's other files declare"),
        ("z_override.tf", 5, "aws_ecs_service.other overrides nothing: an override file only changes what the "
                             "module's other files declare")]
    assert "aws_ecs_service.other" not in module.resources and _value(module, "var.public_ip") is True


def test_a_module_calls_argument_from_an_override_file_is_reported_there(tmp_path, rules):
    shutil.copytree(os.path.join(DATA, "auto_tfvars"), tmp_path / "service")
    for name in ("terraform.tfvars", "prod.auto.tfvars"):
        os.remove(tmp_path / "service" / name)
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "main.tf").write_text('module "service" {\n  source    = "../service"\n'
                                               '  public_ip = true\n}\n')
    (tmp_path / "root" / "off_override.tf").write_text('module "service" {\n  public_ip = false\n}\n')
    found = lint_paths([str(tmp_path / "root")], rules, "NET001", roots=[str(tmp_path)])
    assert [(os.path.basename(f.file), f.line) for f in found] == [("off_override.tf", 2)]


def test_console_takes_variables_files_and_values_in_their_order(tmp_path):
    """``pullcheck console --var-file F --var N=V DIR``: applied after DIR's own files, in command-line order, as
    ``terraform console -var-file -var`` applies them (2, 7 and 9 are what terraform console 1.11 answers)."""
    import subprocess
    import sys

    (tmp_path / "main.tf").write_text('variable "x" {\n  type = number\n  default = 1\n}\n')
    (tmp_path / "prod.tfvars").write_text("x = 2\n")
    runs = [(["--var-file", str(tmp_path / "prod.tfvars")], "2\n3\n"), (["--var", "x=7"], "7\n8\n"),
            ([f"--var-file={tmp_path / 'prod.tfvars'}", "--var", "x=9"], "9\n10\n"), ([], "1\n2\n")]
    for args, want in runs:
        r = subprocess.run([sys.executable, "-m", "pullcheck", "console", *args, str(tmp_path)], input="var.x\nvar.x + 1\n",
                           capture_output=True, text=True, timeout=60)
        assert (r.returncode, r.stdout, r.stderr) == (0, want, ""), (args, r)
    r = subprocess.run([sys.executable, "-m", "pullcheck", "console", "--var", "x", str(tmp_path)], input="",
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "NAME=VALUE" in r.stderr


TYPED = '''variable "s" {
  type = string
}
variable "o" {
  type = object({ a = string, l = list(number), m = map(bool) })
}
variable "t" {
  type = tuple([string, number])
}
variable "free" {}
'''


@pytest.mark.parametrize("expr,kind", [
    ("var.s.x", "error"), ("var.s[0]", "error"), ("try(var.s.x, 1)", 1), ("can(var.s.x)", False),
    ("var.o.b", "error"), ("var.o.a", "unknown"), ("var.o.a.b", "error"), ("var.o.l[0]", "unknown"),
    ('var.o.l["x"]', "error"), ("var.o.l[0].y", "error"), ("var.o.m.k", "unknown"), ('var.o.m["k"]', "unknown"),
    ("var.t[1]", "unknown"), ("var.t[2]", "error"), ("var.t[1].z", "error"), ("try(var.o.b, 2)", 2),
    ("try(var.o.a, 2)", "unknown"), ("var.free.x", "unknown"), ("var.free[0]", "unknown"),
])
def test_a_variable_without_a_value_keeps_its_type(expr, kind):
    """Terraform checks what is read of an unknown value against its type: a missing attribute or index is
    its error (try() passes over it), what there is stays unknown."""
    from tf_eval import evaluate
    from pullcheck.graph.values import Missing

    got = evaluate(expr, TYPED)
    if kind == "error":
        assert isinstance(got, Missing), got
    elif kind == "unknown":
        assert isinstance(got, Unknown) and not isinstance(got, Missing), got
    else:
        assert got == kind
