"""template.yaml's side of webhooks (SPEC §11, §7.2): the local stack's loopback exception is never deployed,
retries live on the delivery queue with a dead-letter queue behind them, and the timeouts fit an attempt."""

from __future__ import annotations

from typing import Any

from clientele.domain.webhooks import ATTEMPT_SECONDS, attempts_allowed
from local import template

RESOURCES: dict[str, Any] = template.load_template()["Resources"]


def _props(logical_id: str) -> dict[str, Any]:
    props: dict[str, Any] = RESOURCES[logical_id]["Properties"]
    return props


def test_no_deployed_function_may_deliver_to_local_http() -> None:
    globals_env = template.load_template()["Globals"]["Function"]["Environment"]["Variables"]
    assert "WEBHOOK_ALLOW_LOCAL_HTTP" not in globals_env
    assert all("WEBHOOK_ALLOW_LOCAL_HTTP" not in function.environment for function in template.functions())


def test_the_delivery_queue_hands_a_message_failing_in_the_function_to_a_dead_letter_queue() -> None:
    redrive = _props("WebhookDeliveryQueue")["RedrivePolicy"]

    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": "WebhookDeliveryDeadLetterQueue.Arn"}
    assert redrive["maxReceiveCount"] > attempts_allowed()  # the schedule's attempts never reach it


def test_the_dead_letter_queue_and_the_retry_backlog_are_alarmed() -> None:
    alarmed = {str(alarm["Properties"].get("Dimensions", [{}])[0].get("Value")) for alarm in RESOURCES.values()
               if alarm["Type"] == "AWS::CloudWatch::Alarm"}

    assert str({"Fn::GetAtt": "WebhookDeliveryDeadLetterQueue.QueueName"}) in alarmed
    assert str({"Fn::GetAtt": "WebhookDeliveryQueue.QueueName"}) in alarmed


def test_the_delivery_queue_outlasts_six_delivery_timeouts() -> None:
    """AWS's rule for an SQS event source: a visibility timeout of at least six times the function's."""
    assert _props("WebhookDeliveryQueue")["VisibilityTimeout"] >= 6 * _props("WebhookDeliveryFunction")["Timeout"]


def test_the_functions_that_make_an_attempt_outlast_it() -> None:
    for logical_id in ("WebhookDeliveryFunction", "PingWebhookFunction"):
        assert _props(logical_id)["Timeout"] >= 2 * ATTEMPT_SECONDS, logical_id


def test_the_delivery_function_reports_failed_messages_one_by_one() -> None:
    event = _props("WebhookDeliveryFunction")["Events"]["Queue"]["Properties"]

    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_secrets_key_is_kept_like_the_table() -> None:
    key = RESOURCES["WebhookSecretsKey"]

    assert key["DeletionPolicy"] == key["UpdateReplacePolicy"] == "Retain"
    assert key["Properties"]["EnableKeyRotation"] is True
