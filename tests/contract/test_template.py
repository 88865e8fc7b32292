"""template.yaml is the single source of routes, permissions and the table: these checks keep it and the
handler modules in step, and keep every function's IAM least-privilege."""

from __future__ import annotations

import importlib
import json
import re
from collections import defaultdict
from typing import Any

import pytest
import yaml

from local import template

RESOURCES: dict[str, Any] = template.load_template()["Resources"]
FUNCTIONS = template.functions()
ROUTED = [fn for fn in FUNCTIONS if any(route.path != "$default" for route in fn.routes)]

READ_ONLY_DYNAMODB = {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}
WRITER_DYNAMODB = READ_ONLY_DYNAMODB | {
    "dynamodb:ConditionCheckItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
}
# SAM policy templates that grant nothing beyond reading (or invoking the provisioner).
READ_ONLY_POLICY_TEMPLATES = {
    "LambdaInvokePolicy", "AWSSecretsManagerGetSecretValuePolicy", "DynamoDBReadPolicy",
}
WRITE_VERB = re.compile(r":(Put|Update|Delete|Create|BatchWrite|Write|ConditionCheck|Send|Publish|Start)")
PUBLIC_ROUTES = {("GET", "/health"), ("GET", "/openapi.json"), ("POST", "/integrations/quickbooks/webhook"),
                 ("ANY", "$default"), ("GET", "/docs"), ("GET", "/docs/{asset}")}


def _props(fn: template.Function) -> dict[str, Any]:
    props: dict[str, Any] = RESOURCES[fn.logical_id]["Properties"]
    return props


def _shared_role(fn: template.Function) -> dict[str, Any] | None:
    """The access-profile role a function runs with (`Role: !GetAtt TableReaderRole.Arn`), if any."""
    role = _props(fn).get("Role")
    if role is None:
        return None
    assert isinstance(role, dict) and "Fn::GetAtt" in role, f"{fn.logical_id}: Role must be !GetAtt <Role>.Arn"
    logical_id = str(role["Fn::GetAtt"]).removesuffix(".Arn")
    resource: dict[str, Any] = RESOURCES[logical_id]
    assert resource["Type"] == "AWS::IAM::Role", f"{fn.logical_id}: {logical_id} is not a role of this stack"
    return resource


def _statements(fn: template.Function) -> list[dict[str, Any]]:
    """Every IAM statement a function runs with: its own Policies', or its access-profile role's."""
    statements: list[dict[str, Any]] = []
    for policy in _props(fn).get("Policies") or []:
        if isinstance(policy, dict) and "Statement" in policy:
            statements.extend(policy["Statement"])
    role = _shared_role(fn)
    for policy in (role["Properties"].get("Policies") or []) if role else []:
        statements.extend(policy["PolicyDocument"]["Statement"])
    return statements


def _granted(fn: template.Function, action: str) -> list[Any]:
    """The resources a function may `action` on, through a statement of its own or its role's."""
    return [resource for statement in _statements(fn) if statement.get("Effect", "Allow") == "Allow"
            and action in _listed(statement.get("Action", [])) for resource in _listed(statement.get("Resource"))]


def _invoked_functions(fn: template.Function) -> list[Any]:
    """The functions it may invoke, as `{"Ref": <function>}`, from a LambdaInvokePolicy or its role."""
    by_template = [policy["LambdaInvokePolicy"]["FunctionName"] for policy in _props(fn).get("Policies") or []
                   if isinstance(policy, dict) and "LambdaInvokePolicy" in policy]
    by_role = [{"Ref": str(resource["Fn::GetAtt"]).removesuffix(".Arn")}
               for resource in _granted(fn, "lambda:InvokeFunction") if _shared_role(fn)]
    return by_template + by_role


def _readable_secrets(fn: template.Function) -> list[Any]:
    """The secrets it may read, as `{"Ref": <secret>}`, from the SAM policy template or its role."""
    by_template = [policy["AWSSecretsManagerGetSecretValuePolicy"]["SecretArn"]
                   for policy in _props(fn).get("Policies") or []
                   if isinstance(policy, dict) and "AWSSecretsManagerGetSecretValuePolicy" in policy]
    by_role = _granted(fn, "secretsmanager:GetSecretValue") if _shared_role(fn) else []
    return by_template + by_role


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _actions(fn: template.Function) -> set[str]:
    return {action for statement in _statements(fn) if statement.get("Effect", "Allow") == "Allow"
            for action in _listed(statement.get("Action", []))}


def _policy_templates(fn: template.Function) -> set[str]:
    return {name for policy in _props(fn).get("Policies") or [] if isinstance(policy, dict)
            for name in policy if name != "Statement"}


def _app_routes(module_name: str) -> set[tuple[str, str]]:
    app = importlib.import_module(module_name).app
    return {(route.method.upper(), re.sub(r"<(\w+)>", r"{\1}", route.path))
            for route in [*app._static_routes, *app._dynamic_routes]}


def _is_get_only(fn: template.Function) -> bool:
    return bool(fn.routes) and all(route.method == "GET" for route in fn.routes)


def _is_lister(fn: template.Function) -> bool:
    """A GET function that takes a `cursor` query parameter pages through results with signed cursors."""
    if not _is_get_only(fn):
        return False
    app = importlib.import_module(fn.module_name).app
    for route in [*app._static_routes, *app._dynamic_routes]:
        params = route.dependant.query_params if route.dependant is not None else []
        if any(param.alias == "cursor" for param in params):
            return True
    return False


def _ids(functions: list[template.Function]) -> list[str]:
    return [fn.logical_id for fn in functions]


READERS = [fn for fn in ROUTED if _is_get_only(fn)]
AUTHENTICATED_READERS = [fn for fn in READERS if not any(route.public for route in fn.routes)]
WRITERS = [fn for fn in ROUTED if not _is_get_only(fn) and not any(route.public for route in fn.routes)]


# ---------------------------------------------------------------- handlers ↔ routes


@pytest.mark.parametrize("fn", FUNCTIONS, ids=_ids(FUNCTIONS))
def test_handler_module_exists_and_exposes_the_handler(fn: template.Function) -> None:
    assert (template.ROOT / fn.code_uri).is_dir(), f"{fn.logical_id}: CodeUri {fn.code_uri} does not exist"
    module_file = template.ROOT / fn.code_uri / (fn.handler.rsplit(".", 1)[0] + ".py")
    assert module_file.is_file(), f"{fn.logical_id}: {module_file.relative_to(template.ROOT)} does not exist"
    assert callable(fn.load()), f"{fn.logical_id}: {fn.module_name}.{fn.handler_name} is not callable"


def _template_routes_by_module() -> dict[str, set[tuple[str, str]]]:
    by_module: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for fn in ROUTED:
        by_module[fn.module_name] |= {(route.method, route.path) for route in fn.routes}
    return dict(sorted(by_module.items()))


ROUTES_BY_MODULE = _template_routes_by_module()


@pytest.mark.parametrize("module_name", list(ROUTES_BY_MODULE))
def test_template_routes_and_the_module_routes_are_the_same(module_name: str) -> None:
    wanted = ROUTES_BY_MODULE[module_name]
    served = _app_routes(module_name)
    assert wanted - served == set(), f"{module_name}: the template routes {sorted(wanted - served)} here, " \
                                     "but the module's app has no such route"
    assert served - wanted == set(), f"{module_name}: the app has {sorted(served - wanted)}, " \
                                     "but the template sends no such request to it"


def test_routes_are_unique() -> None:
    seen: dict[tuple[str, str], str] = {}
    for route in template.routes():
        key = (route.method, route.path)
        assert key not in seen, f"{route.method} {route.path} is routed to {seen[key]} and {route.function}"
        seen[key] = route.function


def test_the_default_route_answers_unknown_paths() -> None:
    default = [route for route in template.routes() if route.path == "$default"]
    assert len(default) == 1 and default[0].method == "ANY" and default[0].public


def test_only_the_known_public_routes_skip_the_jwt_authorizer() -> None:
    public = {(route.method, route.path) for route in template.routes() if route.public}
    assert public <= PUBLIC_ROUTES, f"unexpected public routes: {sorted(public - PUBLIC_ROUTES)}"
    assert {("GET", "/health"), ("GET", "/openapi.json"), ("ANY", "$default")} <= public


def test_http_api_uses_a_jwt_authorizer_by_default() -> None:
    auth = RESOURCES["HttpApi"]["Properties"]["Auth"]
    name = auth["DefaultAuthorizer"]
    assert "JwtConfiguration" in auth["Authorizers"][name]


def test_template_has_no_yaml_anchors_or_aliases() -> None:
    """CloudFormation's YAML parser accepts neither (`&name`, `*name`)."""
    tokens = yaml.scan(template.TEMPLATE.read_text(encoding="utf-8"))
    found = [type(token).__name__ for token in tokens
             if isinstance(token, yaml.AnchorToken | yaml.AliasToken)]
    assert not found, f"template.yaml uses YAML {sorted(set(found))}; write each block out"


# ---------------------------------------------------------------- functions and IAM


@pytest.mark.parametrize("fn", FUNCTIONS, ids=_ids(FUNCTIONS))
def test_every_function_declares_policies_and_a_description(fn: template.Function) -> None:
    props = _props(fn)
    assert "Policies" in props or _shared_role(fn) is not None, \
        f"{fn.logical_id} has neither Policies nor an access-profile Role (say explicitly what it may do)"
    assert str(props.get("Description") or "").strip(), f"{fn.logical_id} has no Description"


@pytest.mark.parametrize("fn", FUNCTIONS, ids=_ids(FUNCTIONS))
def test_no_wildcard_actions_on_every_resource(fn: template.Function) -> None:
    for statement in _statements(fn):
        resources = _listed(statement.get("Resource", []))
        actions = _listed(statement.get("Action", []))
        if "*" in resources:
            wild = [action for action in actions if "*" in str(action)]
            assert not wild, f"{fn.logical_id}: {wild} on Resource '*'"
    for policy in _props(fn).get("Policies") or []:
        if isinstance(policy, str):
            assert "FullAccess" not in policy and "Administrator" not in policy, f"{fn.logical_id}: {policy}"


@pytest.mark.parametrize("fn", READERS, ids=_ids(READERS))
def test_get_only_functions_cannot_write(fn: template.Function) -> None:
    actions = _actions(fn)
    writes = sorted(action for action in actions if WRITE_VERB.search(action))
    assert not writes, f"{fn.logical_id} serves only GET but may {writes}"
    dynamodb = {action for action in actions if action.startswith("dynamodb:")}
    assert dynamodb <= READ_ONLY_DYNAMODB, f"{fn.logical_id}: {sorted(dynamodb - READ_ONLY_DYNAMODB)}"
    extra = _policy_templates(fn) - READ_ONLY_POLICY_TEMPLATES
    assert not extra, f"{fn.logical_id} serves only GET but has the policy templates {sorted(extra)}"


@pytest.mark.parametrize("fn", AUTHENTICATED_READERS, ids=_ids(AUTHENTICATED_READERS))
def test_readers_provision_new_orgs_through_the_provisioner(fn: template.Function) -> None:
    """A reader holds no write permission, so an org's first request must go through the provisioner."""
    assert fn.environment.get("PROVISIONER_FUNCTION") == {"Ref": "ProvisionOrgFunction"}, fn.logical_id
    assert _invoked_functions(fn) == [{"Ref": "ProvisionOrgFunction"}], fn.logical_id
    assert _actions(fn) & {"dynamodb:Query", "dynamodb:GetItem"}, f"{fn.logical_id} cannot read the table"


@pytest.mark.parametrize("fn", WRITERS, ids=_ids(WRITERS))
def test_writers_get_only_item_level_table_actions(fn: template.Function) -> None:
    """No Scan, BatchWriteItem, table administration or stream access for a request handler."""
    dynamodb = {action for action in _actions(fn) if action.startswith("dynamodb:")}
    assert dynamodb, f"{fn.logical_id} cannot reach the table"
    assert dynamodb <= WRITER_DYNAMODB, f"{fn.logical_id}: {sorted(dynamodb - WRITER_DYNAMODB)}"
    for statement in _statements(fn):
        for resource in _listed(statement.get("Resource", [])):
            assert resource != "*", f"{fn.logical_id}: table actions on Resource '*'"


@pytest.mark.parametrize("fn", READERS, ids=_ids(READERS))
def test_only_lists_with_cursors_may_read_the_cursor_key(fn: template.Function) -> None:
    secrets = _readable_secrets(fn)
    if _is_lister(fn):
        assert secrets == [{"Ref": "CursorKeySecret"}], f"{fn.logical_id} must read CursorKeySecret"
    else:
        assert not secrets, f"{fn.logical_id} takes no cursor, so it needs no secret"


def test_the_customer_list_is_a_cursor_list() -> None:
    assert _is_lister(next(fn for fn in ROUTED if fn.logical_id == "ListCustomersFunction"))


# ---------------------------------------------------------------- globals and the table


def test_globals_run_python_3_13() -> None:
    function_globals = template.load_template()["Globals"]["Function"]
    assert function_globals["Runtime"] == "python3.13"
    for fn in FUNCTIONS:
        assert _props(fn).get("Runtime", "python3.13") == "python3.13", fn.logical_id


def test_the_layer_is_built_by_its_makefile_for_arm64_less_what_prune_txt_lists() -> None:
    """layers/core/Makefile and the bench's package figure read one prune list (docs/decisions.md)."""
    from bench.__main__ import PRUNE_LIST, is_pruned, prune_patterns

    layer = RESOURCES["CoreLayer"]
    assert layer["Metadata"] == {"BuildMethod": "makefile", "BuildArchitecture": "arm64"}
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    makefile = (PRUNE_LIST.parent / "Makefile").read_text()
    assert "build-CoreLayer:" in makefile and "prune.txt" in makefile
    assert "--platform manylinux2014_aarch64" in makefile and "--python-version 3.13" in makefile
    patterns = prune_patterns()
    for path in ("pycountry/locales/fr/LC_MESSAGES/iso3166-1.mo", "pycountry/tests/test_general.py",
                 "clientele/__pycache__/x.cpython-313.pyc"):
        assert is_pruned(path, patterns), path
    for path in ("pycountry/__init__.py", "pycountry/databases/iso3166-1.json", "clientele/domain/countries.py",
                 "pydantic_core/_pydantic_core.cpython-313-aarch64-linux-gnu.so"):
        assert not is_pruned(path, patterns), path


def test_the_layer_ships_bytecode_compiled_after_pruning() -> None:
    """/opt is read-only in Lambda: without .pyc files every cold start compiles every module it imports."""
    makefile = (template.ROOT / "layers" / "core" / "Makefile").read_text()
    compiling = makefile.index("-m compileall")
    assert "--invalidation-mode unchecked-hash" in makefile[compiling:].splitlines()[0]
    assert makefile.index("-prune -exec rm -rf") < compiling  # the prune list drops copied .pyc files first
    assert "sys.version_info[:2] != (3, 13)" in makefile  # bytecode only loads in the version that wrote it


def test_table_is_on_demand_with_pitr_stream_and_ttl() -> None:
    props = RESOURCES["Table"]["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert props["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert template.ttl_attribute() == "ttl"
    assert RESOURCES["Table"].get("DeletionPolicy") == "Retain"


def test_every_key_attribute_is_defined() -> None:
    props = RESOURCES["Table"]["Properties"]
    defined = {attribute["AttributeName"] for attribute in props["AttributeDefinitions"]}
    used = {key["AttributeName"] for key in props["KeySchema"]}
    for index in props.get("GlobalSecondaryIndexes", []) + props.get("LocalSecondaryIndexes", []):
        used |= {key["AttributeName"] for key in index["KeySchema"]}
    assert defined == used


# ---------------------------------------------------------------- cfn-lint


def test_cfn_lint_passes() -> None:
    api = pytest.importorskip("cfnlint.api", reason="cfn-lint is not installed")
    matches = api.lint_file(template.TEMPLATE)
    assert not matches, "\n".join(str(match) for match in matches)


# ---------------------------------------------------------------- operating it (SPEC §7.2)

PARAMETERS: dict[str, Any] = template.load_template()["Parameters"]
HTTP_API = RESOURCES["HttpApi"]["Properties"]
# Event sources that invoke a function asynchronously (Lambda retries, then drops, unless told where to put it).
ASYNC_EVENT_TYPES = {"EventBridgeRule", "Schedule", "ScheduleV2", "CloudWatchEvent", "S3", "SNS", "IoTRule"}
ASYNC_FUNCTIONS = [fn for fn in FUNCTIONS
                   if any(event.get("Type") in ASYNC_EVENT_TYPES for event in (_props(fn).get("Events") or {}).values())]
ALARMS = {logical_id: resource["Properties"] for logical_id, resource in RESOURCES.items()
          if resource["Type"] == "AWS::CloudWatch::Alarm"}


def _alarm_metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """An alarm's metrics as {Namespace, MetricName, Dimensions}, whether a single metric or metric math."""
    if "MetricName" in alarm:
        return [{"Namespace": alarm["Namespace"], "MetricName": alarm["MetricName"],
                 "Dimensions": alarm.get("Dimensions", [])}]
    return [query["MetricStat"]["Metric"] for query in alarm.get("Metrics", []) if "MetricStat" in query]


def _alarms_on(namespace: str, metric_name: str, dimension_value: Any) -> list[str]:
    return [logical_id for logical_id, alarm in ALARMS.items() for metric in _alarm_metrics(alarm)
            if metric["Namespace"] == namespace and metric["MetricName"] == metric_name
            and any(dimension["Value"] == dimension_value for dimension in metric.get("Dimensions", []))]


def _failure_queues() -> set[str]:
    """Every SQS queue the stack names as an on-failure destination or a dead-letter queue."""
    found: set[str] = set()

    def walk(value: Any, under_failure: bool) -> None:
        if isinstance(value, dict):
            if under_failure and value.get("Fn::GetAtt") and str(value["Fn::GetAtt"]).endswith(".Arn"):
                found.add(str(value["Fn::GetAtt"]).removesuffix(".Arn"))
            for key, child in value.items():
                walk(child, under_failure or key in {"OnFailure", "DeadLetterConfig"})
        elif isinstance(value, list):
            for child in value:
                walk(child, under_failure)

    walk(RESOURCES, False)
    return found


def test_http_api_writes_json_access_logs_with_the_required_fields() -> None:
    settings = HTTP_API["AccessLogSettings"]
    fields = json.loads(settings["Format"])
    for variable in ("$context.requestId", "$context.identity.sourceIp", "$context.httpMethod",
                     "$context.routeKey", "$context.status", "$context.responseLatency",
                     "$context.integrationErrorMessage"):
        assert variable in fields.values(), f"the access log has no {variable}"
    assert settings["DestinationArn"] == {"Fn::GetAtt": "ApiAccessLogGroup.Arn"}


def test_log_groups_keep_logs_for_the_retention_parameter_30_days_by_default() -> None:
    assert PARAMETERS["LogRetentionDays"]["Default"] == 30
    groups = {logical_id: resource["Properties"] for logical_id, resource in RESOURCES.items()
              if resource["Type"] == "AWS::Logs::LogGroup"}
    assert {"ApiAccessLogGroup", "FunctionLogGroup"} <= set(groups)
    for logical_id, props in groups.items():
        assert props.get("RetentionInDays") == {"Ref": "LogRetentionDays"}, logical_id


@pytest.mark.parametrize("fn", FUNCTIONS, ids=_ids(FUNCTIONS))
def test_every_function_logs_json_to_the_retained_log_group(fn: template.Function) -> None:
    logging_config = _props(fn).get("LoggingConfig") or template.load_template()["Globals"]["Function"]["LoggingConfig"]
    assert logging_config == {"LogFormat": "JSON", "LogGroup": {"Ref": "FunctionLogGroup"}}, fn.logical_id


def test_default_route_throttling_comes_from_the_burst_and_rate_parameters() -> None:
    assert HTTP_API["DefaultRouteSettings"] == {"ThrottlingBurstLimit": {"Ref": "ApiThrottlingBurstLimit"},
                                                "ThrottlingRateLimit": {"Ref": "ApiThrottlingRateLimit"}}
    assert PARAMETERS["ApiThrottlingBurstLimit"]["Type"] == PARAMETERS["ApiThrottlingRateLimit"]["Type"] == "Number"


def test_the_import_and_sync_jobs_are_the_asynchronous_functions() -> None:
    """So the on-failure checks below cover them (and any new asynchronous function joins them)."""
    assert {"ImportCustomersJobFunction", "QuickBooksSyncJobFunction"} <= set(_ids(ASYNC_FUNCTIONS))


@pytest.mark.parametrize("fn", ASYNC_FUNCTIONS, ids=_ids(ASYNC_FUNCTIONS))
def test_every_asynchronous_function_sends_failed_events_to_a_queue(fn: template.Function) -> None:
    on_failure = ((_props(fn).get("EventInvokeConfig") or {}).get("DestinationConfig") or {}).get("OnFailure") or {}
    assert on_failure.get("Type") == "SQS" and on_failure.get("Destination"), \
        f"{fn.logical_id} is invoked asynchronously but drops an event that exhausts its retries"


@pytest.mark.parametrize("fn", ASYNC_FUNCTIONS, ids=_ids(ASYNC_FUNCTIONS))
def test_every_event_rule_target_has_a_dead_letter_queue(fn: template.Function) -> None:
    for name, event in (_props(fn).get("Events") or {}).items():
        if event.get("Type") in ASYNC_EVENT_TYPES - {"S3", "SNS"}:
            assert "DeadLetterConfig" in event["Properties"], f"{fn.logical_id}.{name} has no DeadLetterConfig"


def test_the_user_pool_is_retained_like_the_table() -> None:
    pool = RESOURCES["UserPool"]
    assert pool.get("DeletionPolicy") == "Retain" and pool.get("UpdateReplacePolicy") == "Retain"
    assert RESOURCES["Table"].get("UpdateReplacePolicy") == "Retain"


def test_cors_origins_are_a_parameter_with_no_wildcard_default() -> None:
    assert HTTP_API["CorsConfiguration"]["AllowOrigins"] == {"Ref": "CorsAllowOrigins"}
    assert "*" not in str(PARAMETERS["CorsAllowOrigins"].get("Default", ""))


def test_the_local_stack_allows_any_origin() -> None:
    assert template.resolve(HTTP_API["CorsConfiguration"]["AllowOrigins"]) == ["*"]


def test_the_alarm_topic_mails_the_alarm_email_parameter() -> None:
    subscription = RESOURCES["AlarmTopic"]["Properties"]["Subscription"]
    assert subscription["Fn::If"][0] == "HasAlarmEmail"
    assert subscription["Fn::If"][1] == [{"Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}}]


@pytest.mark.parametrize("logical_id", sorted(ALARMS))
def test_every_alarm_notifies_the_alarm_topic(logical_id: str) -> None:
    assert {"Ref": "AlarmTopic"} in ALARMS[logical_id]["AlarmActions"], logical_id
    assert ALARMS[logical_id]["TreatMissingData"] == "notBreaching", f"{logical_id}: no data is no alarm"


def test_an_alarm_fires_when_a_failure_queue_is_not_empty() -> None:
    queues = _failure_queues()
    assert {"StreamFailureQueue", "AsyncFailureQueue"} <= queues
    for queue in queues:
        alarms = _alarms_on("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"Fn::GetAtt": f"{queue}.QueueName"})
        assert alarms, f"nobody is told when {queue} holds a message"
        assert all(ALARMS[alarm]["Threshold"] == 0 for alarm in alarms), queue


def test_an_alarm_fires_when_the_stream_iterator_age_exceeds_60_seconds() -> None:
    alarms = _alarms_on("AWS/Lambda", "IteratorAge", {"Ref": "StreamProcessorFunction"})
    assert [ALARMS[alarm]["Threshold"] for alarm in alarms] == [60000]


@pytest.mark.parametrize("fn", ASYNC_FUNCTIONS, ids=_ids(ASYNC_FUNCTIONS))
def test_an_alarm_fires_on_any_error_of_a_job_function(fn: template.Function) -> None:
    alarms = _alarms_on("AWS/Lambda", "Errors", {"Ref": fn.logical_id})
    assert alarms and all(ALARMS[alarm]["Threshold"] == 0 for alarm in alarms), fn.logical_id


def test_an_alarm_fires_when_more_than_1_percent_of_api_requests_fail_with_5xx() -> None:
    errors = _alarms_on("AWS/ApiGateway", "5xx", {"Ref": "HttpApi"})
    requests = _alarms_on("AWS/ApiGateway", "Count", {"Ref": "HttpApi"})
    assert errors == requests and len(errors) == 1
    alarm = ALARMS[errors[0]]
    expression = next(query["Expression"] for query in alarm["Metrics"] if query.get("ReturnData", True))
    assert "100 * errors / requests" in expression and alarm["Threshold"] == 1


def test_an_alarm_fires_on_any_dynamodb_throttling() -> None:
    for metric in ("ReadThrottleEvents", "WriteThrottleEvents"):
        alarms = _alarms_on("AWS/DynamoDB", metric, {"Ref": "Table"})
        assert alarms and all(ALARMS[alarm]["Threshold"] == 0 for alarm in alarms), metric


def test_the_dashboard_shows_every_alarm() -> None:
    body = RESOURCES["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    missing = [alarm for alarm in ALARMS if "${" + alarm + ".Arn}" not in body]
    assert not missing, f"the dashboard does not show {missing}"


def test_the_dashboard_body_is_json_once_substituted() -> None:
    body = RESOURCES["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))["widgets"]
    assert len(widgets) >= 7


def test_api_docs_are_deployed_only_when_the_parameter_turns_them_on() -> None:
    """SPEC §7.1: Swagger UI at /docs in AWS only behind a parameter, off by default."""
    document = template.load_template()
    assert document["Parameters"]["EnableApiDocs"]["Default"] == "false"
    assert document["Conditions"]["ApiDocsEnabled"] == {"Fn::Equals": [{"Ref": "EnableApiDocs"}, "true"]}
    docs = [fn for fn in template.functions() if any(route.path == "/docs" for route in fn.routes)]
    assert [fn.logical_id for fn in docs] == ["DocsFunction"]
    assert RESOURCES["DocsFunction"]["Condition"] == "ApiDocsEnabled"
