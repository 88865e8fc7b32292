"""Reads template.yaml: the routes, functions and table that the local stack and the tests build,
so neither can drift from what is deployed."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that keeps CloudFormation short-form tags (!Ref, !Sub, ...) as plain data."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tag)


@cache
def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


# Parameter values the local stack deploys with where the template has no default on purpose
# (in AWS the deployer must choose; locally any origin may call the API).
LOCAL_PARAMETER_VALUES: dict[str, Any] = {"CorsAllowOrigins": ["*"]}


def resolve(value: Any) -> Any:
    """A ``!Ref Parameter`` as the local stack deploys it (LOCAL_PARAMETER_VALUES, else the parameter's
    default; a CommaDelimitedList as a list); any other value as it stands."""
    if not (isinstance(value, dict) and set(value) == {"Ref"}):
        return value
    name = value["Ref"]
    if name in LOCAL_PARAMETER_VALUES:
        return LOCAL_PARAMETER_VALUES[name]
    parameter = (load_template().get("Parameters") or {}).get(name)
    if parameter is None or "Default" not in parameter:
        return value
    default = parameter["Default"]
    if parameter.get("Type") == "CommaDelimitedList":
        return [item.strip() for item in str(default).split(",") if item.strip()]
    return default


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as in the template: /customers/{customerId}, or $default
    function: str
    public: bool


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_uri: str
    handler: str
    routes: tuple[Route, ...] = field(default=())
    environment: dict[str, Any] = field(default_factory=dict)

    @property
    def module_name(self) -> str:
        module, _ = self.handler.rsplit(".", 1)
        package = self.code_uri.strip("/").replace("/", ".")
        return f"{package}.{module}"

    @property
    def handler_name(self) -> str:
        return self.handler.rsplit(".", 1)[1]

    def load(self) -> Any:
        return getattr(importlib.import_module(self.module_name), self.handler_name)


def functions(template: dict[str, Any] | None = None) -> list[Function]:
    template = template or load_template()
    result = []
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        routes = []
        for event in (props.get("Events") or {}).values():
            if event.get("Type") != "HttpApi":
                continue
            event_props = event["Properties"]
            auth = event_props.get("Auth") or {}
            routes.append(Route(event_props["Method"].upper(), event_props["Path"], logical_id,
                                auth.get("Authorizer") == "NONE"))
        env = ((props.get("Environment") or {}).get("Variables")) or {}
        result.append(Function(logical_id, props["CodeUri"], props["Handler"], tuple(routes), env))
    return result


def function_events(event_type: str, loaded: dict[str, Any] | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    """(function logical id, event name, event properties) of every function event of ``event_type``."""
    loaded = loaded or load_template()
    return [(logical_id, event_name, dict(event.get("Properties") or {}))
            for logical_id, resource in loaded["Resources"].items()
            if resource.get("Type") == "AWS::Serverless::Function"
            for event_name, event in ((resource.get("Properties") or {}).get("Events") or {}).items()
            if event.get("Type") == event_type]


def function(logical_id: str) -> Function:
    """The template's function of that logical id."""
    found = next((candidate for candidate in functions() if candidate.logical_id == logical_id), None)
    if found is None:
        raise KeyError(f"template.yaml has no function {logical_id}")
    return found


def routes() -> list[Route]:
    return [route for function in functions() for route in function.routes]


def table_definition(logical_id: str = "Table") -> dict[str, Any]:
    """CreateTable arguments from the template's table (billing, keys, indexes, stream)."""
    props = load_template()["Resources"][logical_id]["Properties"]
    definition: dict[str, Any] = {
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        definition["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if props.get("LocalSecondaryIndexes"):
        definition["LocalSecondaryIndexes"] = props["LocalSecondaryIndexes"]
    if props.get("StreamSpecification"):
        definition["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    return definition


def ttl_attribute(logical_id: str = "Table") -> str | None:
    spec = load_template()["Resources"][logical_id]["Properties"].get("TimeToLiveSpecification") or {}
    return spec.get("AttributeName") if spec.get("Enabled") else None
