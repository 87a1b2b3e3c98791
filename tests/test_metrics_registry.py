"""The catalogue's JSON schema is what the agent, the HTTP API and MCP expose: snapshot it, validate it."""

from __future__ import annotations

import jsonschema
import pytest
from test_metrics_catalogue import SAMPLE_INPUTS

from service.metrics import REGISTRY, registry_schema


def test_registry_schema_snapshot(snapshot) -> None:
    assert registry_schema() == snapshot


def test_every_schema_is_valid_json_schema() -> None:
    for entry in registry_schema():
        jsonschema.Draft202012Validator.check_schema(entry["parameters"])
        assert entry["name_zh"] and entry["description"]
        for prop in entry["parameters"]["properties"].values():
            assert prop["description"]


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_sample_inputs_validate_against_the_schema(name: str) -> None:
    schema = next(e for e in registry_schema() if e["name"] == name)["parameters"]
    jsonschema.validate(SAMPLE_INPUTS[name], schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**SAMPLE_INPUTS[name], "unexpected": 1}, schema)


def test_specs_match_their_functions() -> None:
    for name, spec in REGISTRY.items():
        assert spec.name == name
        assert spec.func.__name__ == name
