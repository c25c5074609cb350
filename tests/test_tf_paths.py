"""``path.module``, ``path.root`` and ``path.cwd`` are what Terraform gives when it runs in the root module's
folder, whichever folder pullcheck runs in: a file named from ``path.module`` is found from the repository's
root, from the module's folder and from a folder elsewhere."""
import os
import subprocess
import sys

ROOT_TF = """module "svc" {
  source = "./modules/svc"
}

resource "aws_ecs_task_definition" "root" {
  family                   = "root"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  container_definitions    = file("${path.module}/containers.json")
}
"""
SVC_TF = ROOT_TF.split("\n\n", 1)[1].replace('"root"', '"svc"').replace(
    'file("${path.module}/containers.json")', 'templatefile("${path.module}/containers.json.tpl", { image = "nginx" })')
CONTAINERS = ('[{"name": "%s", "image": "%s", "logConfiguration": {"logDriver": "awslogs", "options": '
              '{"awslogs-group": "/app", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "app"}}}]\n')


def _repo(tmp_path):
    infra = tmp_path / "repo" / "infra"
    (infra / "modules" / "svc").mkdir(parents=True)
    (infra / "main.tf").write_text(ROOT_TF, encoding="utf-8")
    (infra / "containers.json").write_text(CONTAINERS % ("app", "nginx"), encoding="utf-8")
    (infra / "modules" / "svc" / "main.tf").write_text(SVC_TF, encoding="utf-8")
    (infra / "modules" / "svc" / "containers.json.tpl").write_text(CONTAINERS % ("svc", "${image}"),
                                                                     encoding="utf-8")
    return infra


def _pullcheck(*args, cwd):
    return subprocess.run([sys.executable, "-m", "pullcheck", "--no-config", "--format", "parseable", *args],
                          capture_output=True, text=True, cwd=str(cwd), timeout=120)


def _found(r, cwd):
    """(absolute file, line, rule) of each finding."""
    out = []
    for line in r.stdout.splitlines():
        file, n = line.split(":")[:2]
        out.append((os.path.normpath(os.path.join(str(cwd), file)), int(n), line.split()[2]))
    return sorted(out)


def test_a_file_named_from_path_module_is_read_from_any_working_directory(tmp_path):
    infra = _repo(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    want = sorted([(str(infra / "main.tf"), 11, "IAM002"), (str(infra / "modules" / "svc" / "main.tf"), 7, "IAM002")])
    for cwd, target in ((tmp_path / "repo", "infra"), (infra, "."), (elsewhere, str(infra)),
                        (infra / "modules", "..")):
        r = _pullcheck(target, cwd=cwd)
        assert r.returncode == 1 and "Traceback" not in r.stderr, (cwd, r.stderr)
        assert _found(r, cwd) == want, (cwd, r.stdout)


def test_path_values_are_terraforms_own(tmp_path):
    """In the root module path.module and path.root are ".", path.cwd the root's folder in full; in a called
    module path.module is its folder from the root's ("modules/svc")."""
    infra = _repo(tmp_path)
    (infra / "modules" / "svc" / "outputs.tf").write_text('output "where" {\n  value = path.module\n}\n'
                                                          'output "root" {\n  value = path.root\n}\n',
                                                          encoding="utf-8")
    asked = "path.module\npath.root\npath.cwd\nmodule.svc.where\nmodule.svc.root\n"
    for cwd in (tmp_path, infra / "modules"):
        r = subprocess.run([sys.executable, "-m", "pullcheck", "console", str(infra)], input=asked,
                           capture_output=True, text=True, cwd=str(cwd), timeout=120)
        assert r.stdout.splitlines() == ['"."', '"."', f'"{infra.as_posix()}"', '"modules/svc"', '"."'], \
            r.stdout + r.stderr
