"""What a function call ends in when Terraform reports an error for it."""
from __future__ import annotations


class Fails(Exception):
    """Raised inside a function for a call Terraform refuses (a pattern that does not match, a verb of the
    wrong kind), with Terraform's reason: the call is an error, which try() passes over and can() is false
    for (pullcheck.graph.values.Missing), never a value."""
