"""PARSE002 only when template syntax is what breaks a file; a file broken for another reason is PARSE001 at the
place it breaks, with template syntax in it or without."""
import pytest
from conftest import lint_paths

CFN = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n'

CASES = [
    # jq templates: bare $NAME, $ENV.X and env.X values, \(...) interpolation in strings
    ("jq.json", '{\n  "family": $NAME,\n  "containerDefinitions": [{"name": "w", "image": $ENV.IMAGE, "cpu": env.CPU}]\n}\n',
     ("PARSE002", 2, 13)),
    ("jq_interpolation.json", '{"family": "w",\n "containerDefinitions": [{"name": "w", "image": "\\(env.REGISTRY)/w"}]}\n',
     ("PARSE002", 2, 51)),
    # a missing comma beside placeholders, before or after them
    ("comma.json", '{\n  "family": "${name}",\n  "containerDefinitions": [{"name": "w" "image": "${image}"}]\n}\n',
     ("PARSE001", 3, 41)),
    ("comma_after_jq.json", '{\n  "family": $NAME,\n  "containerDefinitions": [{"name": "w" "image": "x"}]\n}\n',
     ("PARSE001", 3, 41)),
    # a plain !Sub in a template broken elsewhere
    ("sub.yaml", CFN + '      Family: !Sub "${Env}-web"\n      Cpu: [1, 2\n      Memory: 512\n', ("PARSE001", 8, 13)),
    ("helm_indent.yaml", CFN + '      Family: {{ .Values.family }}\n     Cpu: 256\n', ("PARSE001", 7, 6)),
    # values a build step writes outside strings; directives, a conditional's branches, a loop's commas
    ("tf_number.json", '{"family": "x", "cpu": ${cpu}, "containerDefinitions": []}\n', ("PARSE002", 1, 24)),
    ("token.json", '{"family": "x", "executionRoleArn": <ROLE_ARN>, "containerDefinitions": []}\n', ("PARSE002", 1, 37)),
    ("if.yaml", CFN + '{% if prod %}\n      Cpu: 1024\n{% else %}\n      Cpu: 256\n{% endif %}\n', ("PARSE002", 6, 1)),
    ("loop.json", '{"family": "x", "containerDefinitions": [\n{% for c in cs %}\n  {"name": "{{ c }}"}'
                  '{% if not loop.last %},{% endif %}\n{% endfor %}\n]}\n', ("PARSE002", 2, 1)),
    ("block.yaml", CFN + '      Cpu: 256\n{%- set tags = {\n  "team": "web" } %}\n      Tags: {{ tags }}\n',
     ("PARSE002", 7, 1)),
    # no template syntax at all
    ("plain.json", '{"family": "x", "containerDefinitions": [\n', ("PARSE001", 2, 1)),
]


@pytest.mark.parametrize("name,text,want", CASES, ids=[c[0] for c in CASES])
def test_the_place_a_file_breaks_decides(name, text, want, tmp_path, rules):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    found = [(f.rule_id, f.line, f.col) for f in lint_paths([str(path)], rules) if f.rule_id.startswith("PARSE")]
    assert found == [want]


def test_a_long_line_of_placeholders_is_read_once(tmp_path, rules):
    """Whether each placeholder is inside a JSON string is read in one pass over a minified file."""
    items = ",".join(f'{{"name": "c{i}", "image": "$IMAGE_{i}"}}' for i in range(20_000))
    path = tmp_path / "minified.json"
    path.write_text('{"family": $FAMILY, "containerDefinitions": [' + items + "]}", encoding="utf-8")
    from pullcheck.sources import templating

    text = path.read_text(encoding="utf-8")
    found = templating.spans(text)
    assert len(found) == 20_001
    assert templating.neutral(text, found, True).startswith('{"family": 0      , "containerDefinitions": [{"name"')
    assert [(f.rule_id, f.line, f.col) for f in lint_paths([str(path)], rules)] == [("PARSE002", 1, 12)]
