"""deploy/: the Helm values and the Kubernetes manifests a county's IT applies, checked offline
against the project's JSON schemas (deploy/schema/) and against the code they run."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from runtime.settings import NAMES

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ROOT = DEPLOY.parent


def schema(name: str) -> dict:
    return json.loads((DEPLOY / "schema" / name).read_text(encoding="utf-8"))


def engine_objects() -> list[dict]:
    return [d for d in yaml.safe_load_all((DEPLOY / "engine.yaml").read_text("utf-8")) if d]


def deployments() -> list[dict]:
    return [d for d in engine_objects() if d["kind"] == "Deployment"]


def test_the_schemas_are_valid_json_schemas():
    for name in ("kubernetes.schema.json", "temporal-values.schema.json"):
        jsonschema.Draft202012Validator.check_schema(schema(name))


def named(obj: dict) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def pod_labels(deployment: dict) -> dict:
    return deployment["spec"]["template"]["metadata"]["labels"]


def containers(deployment: dict) -> list[dict]:
    return deployment["spec"]["template"]["spec"]["containers"]


@pytest.mark.parametrize("obj", engine_objects(), ids=named)
def test_every_engine_object_matches_the_kubernetes_schema(obj):
    jsonschema.Draft202012Validator(schema("kubernetes.schema.json")).validate(obj)


def test_the_temporal_values_match_their_schema():
    values = yaml.safe_load((DEPLOY / "temporal-values.yaml").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema("temporal-values.schema.json")).validate(values)


def test_the_schemas_refuse_what_they_should():
    k8s = jsonschema.Draft202012Validator(schema("kubernetes.schema.json"))
    values = jsonschema.Draft202012Validator(schema("temporal-values.schema.json"))
    worker = deployments()[0]
    typo = {**worker, "spec": {**worker["spec"], "replica": 2}}
    sql = yaml.safe_load((DEPLOY / "temporal-values.yaml").read_text("utf-8"))
    sql["server"]["config"]["persistence"]["default"]["sql"]["password"] = "in the file"
    assert not k8s.is_valid(typo)
    assert not values.is_valid(sql)


def test_every_environment_variable_is_one_the_engine_reads():
    objects = engine_objects()
    names = {k for o in objects if o["kind"] == "ConfigMap" for k in o["data"]}
    names |= {e["name"] for d in deployments() for c in containers(d) for e in c.get("env", [])}
    assert names <= NAMES, names - NAMES


def test_every_container_runs_a_module_or_script_of_the_project():
    for d in deployments():
        for c in containers(d):
            command = c["command"]
            assert command[0] == "python"
            if command[1] == "-m":
                assert importlib.util.find_spec(command[2]) is not None, command
            else:
                assert (ROOT / command[1]).is_file(), command


def test_services_reach_a_deployment_on_a_named_port():
    for svc in (o for o in engine_objects() if o["kind"] == "Service"):
        selector = svc["spec"]["selector"].items()
        matched = [d for d in deployments() if selector <= pod_labels(d).items()]
        assert len(matched) == 1, svc["metadata"]["name"]
        ports = {p["name"] for c in containers(matched[0]) for p in c["ports"]}
        assert {p["targetPort"] for p in svc["spec"]["ports"]} <= ports


def test_each_deployment_selects_its_own_pods():
    for d in deployments():
        assert d["spec"]["selector"]["matchLabels"].items() <= pod_labels(d).items()
