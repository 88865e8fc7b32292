"""One save = one TransactWriteItems. Each operation names the error its failed condition means.

A cancelled transaction reports a reason per operation; with ``ALL_OLD`` on condition failure the
reason carries the item as it stood, so a failed version check becomes 412 with the current
version, a missing item 404, a deleted customer 409, without another read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from clientele import aws, retries
from clientele.errors import ClienteleError, ServiceUnavailable
from clientele.store.table import Item, from_item, table_name

# Transactions touching a hot item can be cancelled with TransactionConflict, which botocore
# does not retry; we retry those few times with jittered backoff before answering 503.
_CONFLICT_RETRIES = 4

FailureMapper = Callable[[Item | None], ClienteleError]


@dataclass
class Operation:
    request: dict[str, Any]
    on_condition_failure: FailureMapper | None = None


@dataclass
class Transaction:
    operations: list[Operation] = field(default_factory=list)

    def put(self, item: dict[str, Any], condition: str | None = None, names: dict[str, str] | None = None,
            values: dict[str, Any] | None = None, on_fail: FailureMapper | None = None) -> Transaction:
        request: dict[str, Any] = {"TableName": table_name(), "Item": item}
        self._add("Put", request, condition, names, values, on_fail)
        return self

    def update(self, key: dict[str, Any], update: str, condition: str | None = None,
               names: dict[str, str] | None = None, values: dict[str, Any] | None = None,
               on_fail: FailureMapper | None = None) -> Transaction:
        request: dict[str, Any] = {"TableName": table_name(), "Key": key, "UpdateExpression": update}
        self._add("Update", request, condition, names, values, on_fail)
        return self

    def delete(self, key: dict[str, Any], condition: str | None = None, names: dict[str, str] | None = None,
               values: dict[str, Any] | None = None, on_fail: FailureMapper | None = None) -> Transaction:
        request: dict[str, Any] = {"TableName": table_name(), "Key": key}
        self._add("Delete", request, condition, names, values, on_fail)
        return self

    def check(self, key: dict[str, Any], condition: str, names: dict[str, str] | None = None,
              values: dict[str, Any] | None = None, on_fail: FailureMapper | None = None) -> Transaction:
        request: dict[str, Any] = {"TableName": table_name(), "Key": key}
        self._add("ConditionCheck", request, condition, names, values, on_fail)
        return self

    def _add(self, kind: str, request: dict[str, Any], condition: str | None, names: dict[str, str] | None,
             values: dict[str, Any] | None, on_fail: FailureMapper | None) -> None:
        if condition:
            request["ConditionExpression"] = condition
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        if names:
            request["ExpressionAttributeNames"] = names
        if values:
            request["ExpressionAttributeValues"] = values
        self.operations.append(Operation({kind: request}, on_fail))

    def __len__(self) -> int:
        return len(self.operations)

    def commit(self) -> None:
        commit(self)


def commit(transaction: Transaction) -> None:
    client: Any = aws.dynamodb()  # Any: requests are built as plain dicts
    items = [operation.request for operation in transaction.operations]
    for attempt in retries.attempts(_CONFLICT_RETRIES + 1):
        try:
            if len(items) == 1:
                _single_write(client, items[0])
            else:
                client.transact_write_items(TransactItems=items)
            return
        except client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons", [])
            failure = _first_condition_failure(transaction, reasons)
            if failure is not None:
                raise failure from exc
            if any(reason.get("Code") == "TransactionConflict" for reason in reasons) and attempt < _CONFLICT_RETRIES:
                continue
            raise ServiceUnavailable("The save collided with concurrent changes; retry shortly.") from exc
        except client.exceptions.ConditionalCheckFailedException as exc:
            old = exc.response.get("Item")
            raise _mapped(transaction.operations[0], from_item(old) if old else None) from exc
        except client.exceptions.TransactionInProgressException as exc:
            raise ServiceUnavailable("An identical save is still in progress; retry shortly.") from exc


def _single_write(client: Any, request: dict[str, Any]) -> None:
    """A one-item save needs no transaction: the same condition, half the write cost."""
    (kind, body), = request.items()
    call = {"Put": client.put_item, "Update": client.update_item, "Delete": client.delete_item}.get(kind)
    if call is None:  # a lone ConditionCheck is a read; nothing to write
        return
    call(**body)


def _first_condition_failure(transaction: Transaction, reasons: list[dict[str, Any]]) -> ClienteleError | None:
    for operation, reason in zip(transaction.operations, reasons, strict=False):
        if reason.get("Code") == "ConditionalCheckFailed":
            old = reason.get("Item")
            return _mapped(operation, from_item(old) if old else None)
    return None


def _mapped(operation: Operation, old: Item | None) -> ClienteleError:
    if operation.on_condition_failure is None:
        return ServiceUnavailable("A concurrent change interfered with this save; retry shortly.")
    return operation.on_condition_failure(old)
