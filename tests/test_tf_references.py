"""A reference to a resource's attribute in a lint and in the console. Terraform cannot say before apply
whether two such values are equal, empty or a list, so ``terraform console`` (and ``pullcheck console``)
answer distinct(), compact() and flatten() over them as unknown; a lint takes each as the resource's own
ID, ARN or name, so that the subnets a service lists through them stay those subnets."""
import pytest
from tf_eval import evaluate

MODULE = 'resource "aws_subnet" "a" {\n  count = 2\n}\nresource "aws_subnet" "b" {}\n'


@pytest.mark.parametrize("expr, targets", [
    ("flatten([aws_subnet.a[*].id])", ["aws_subnet.a[0]", "aws_subnet.a[1]"]),
    ("flatten([[aws_subnet.b.id], aws_subnet.a[*].id])", ["aws_subnet.b", "aws_subnet.a[0]", "aws_subnet.a[1]"]),
    ("distinct([aws_subnet.b.id, aws_subnet.a[0].id, aws_subnet.b.id])", ["aws_subnet.b", "aws_subnet.a[0]"]),
    ('compact([aws_subnet.b.id, "", null])', ["aws_subnet.b"]),
])
def test_a_lint_reads_references_through_list_functions(expr, targets):
    got = evaluate(expr, MODULE)
    assert [r.target.split(":", 1)[1] for r in got] == targets


def test_the_console_answers_as_terraform_does(tmp_path):
    from pullcheck.formats.terraform.console import evaluate as console

    (tmp_path / "main.tf").write_text(MODULE)
    answers = console(str(tmp_path), ["length(distinct([aws_subnet.b.id, aws_subnet.a[0].id]))",
                                      'length(compact([aws_subnet.b.id, ""]))', "length(flatten([aws_subnet.a[*].id]))",
                                      'length(compact(["a", ""]))'])
    assert [a.startswith("(unknown") for a in answers[:3]] == [True, True, True]
    assert answers[3] == "1"
