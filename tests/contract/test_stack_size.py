"""CloudFormation allows 500 resources a stack; SPEC §7.2 keeps the transformed stack under 350 with every
operation deployed. These tests run the real SAM transform (aws-sam-translator, as `sam deploy` does) and count
what CloudFormation would create, today and with the second wave's operations added."""

from __future__ import annotations

import copy
import math
from collections import Counter
from functools import cache
from typing import Any

import boto3
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from local import template

BUDGET = 350
# SPEC §8-§13 add about forty operations; each is priced at today's dearest operation (a handler with a
# role of its own: function + role + route permission), although most will share an access-profile role.
SECOND_WAVE_OPERATIONS = 40
# Deploy-time parameters without a default (the transform needs a value, not a real one).
PARAMETER_VALUES = {"CorsAllowOrigins": "https://app.example.com"}


@cache
def transformed() -> dict[str, Any]:
    """The CloudFormation template `sam deploy` would submit (code locations as `sam package` rewrites them)."""
    sam = copy.deepcopy(template.load_template())
    for resource in sam["Resources"].values():
        props = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str):
                props[key] = f"s3://artifacts/{props[key].strip('/')}.zip"
    translator = Translator({}, Parser(), boto_session=boto3.session.Session(region_name="eu-west-1"))
    result: dict[str, Any] = translator.translate(sam, parameter_values=dict(PARAMETER_VALUES),
                                                  get_managed_policy_map=dict)
    return result


def _resources() -> dict[str, Any]:
    resources: dict[str, Any] = transformed()["Resources"]
    return resources


def _generated_for(function_id: str) -> list[str]:
    """What the transform makes of one AWS::Serverless::Function: the function, its role (unless it runs with an
    access-profile role), one permission per route or rule, its rules and event invoke config."""
    return [logical_id for logical_id in _resources()
            if logical_id == function_id or (logical_id.startswith(function_id)
            and logical_id[len(function_id):len(function_id) + 1].isupper())]


def _request_handlers() -> list[template.Function]:
    return [fn for fn in template.functions() if fn.routes]


def test_the_transformed_stack_is_under_the_resource_budget() -> None:
    counts = Counter(resource["Type"] for resource in _resources().values())
    assert sum(counts.values()) < BUDGET, f"{sum(counts.values())} resources: {counts.most_common()}"


def test_request_handlers_share_an_access_profile_role_by_default() -> None:
    """A role per request handler would cost one resource per operation (docs/decisions.md)."""
    own_roles = [fn.logical_id for fn in _request_handlers() if f"{fn.logical_id}Role" in _resources()]
    shared = [fn.logical_id for fn in _request_handlers() if f"{fn.logical_id}Role" not in _resources()]
    assert len(shared) > 3 * len(own_roles), f"own roles: {own_roles}"


def _price_per_operation(fn: template.Function) -> int:
    """Resources one route of this handler costs (a handler serving several routes shares its function)."""
    return math.ceil(len(_generated_for(fn.logical_id)) / len(fn.routes))


def test_the_stack_stays_under_budget_with_the_second_wave_deployed() -> None:
    dearest = max(_price_per_operation(fn) for fn in _request_handlers())
    projected = len(_resources()) + SECOND_WAVE_OPERATIONS * dearest
    assert projected < BUDGET, (f"{len(_resources())} today + {SECOND_WAVE_OPERATIONS} operations x {dearest} "
                                f"resources = {projected}: split an area into a nested application")


def test_the_price_of_a_request_handler_counts_its_function_and_its_route_permission() -> None:
    """So the projection above cannot price an operation at nothing."""
    generated = _generated_for("GetCustomerFunction")
    assert "GetCustomerFunction" in generated
    assert any(_resources()[logical_id]["Type"] == "AWS::Lambda::Permission" for logical_id in generated)
