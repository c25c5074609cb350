"""The RegisterTaskDefinition input shape as JSON Schema (``taskdef.schema.json``, generated from the ECS
service model by ``python -m pullcheck.tools.taskdef_schema``) and a quick check of it (``quick``): TD003's
own data, which only that rule reads."""
