"""The embedded AWS for the local stack: moto's server app, in this process, on a loopback port.

It is the very app ``moto.server.ThreadedMotoServer`` serves (``DomainDispatcherApplication``),
wrapped in a middleware that runs one request at a time. moto's threaded server is not atomic:
two concurrent conditional writes or transactions on one item can both succeed (SPEC §6 saw 11 of
400 eight-way races with two winners). Real DynamoDB never lets that happen, so neither do we.

Every AWS client in the process (handlers, stream poller, jobs) reaches it through
``AWS_ENDPOINT_URL``; the table and the event bus are created from ``template.yaml``.

Two repairs to moto (:func:`install_repairs` installs both), neither changing what it answers.
Each checks that moto's code still has the shape it patches; when a moto upgrade changes it, the
repair raises :class:`RepairFailed` at start instead of leaving the local stack silently slow or
blind (tests/service/test_moto_repairs.py says so).

* :func:`install_transaction_rollback`: moto snapshots a whole table with ``copy.deepcopy`` for
  every item of every ``TransactWriteItems`` and swaps the copy in when the transaction is
  cancelled. That costs O(table size) per write (a 4-item transaction takes ~1.7 s on a 3,000-item
  table, so a CSV import grinds to a halt), and the swapped-in copy orphans the stream shard that
  open shard iterators point at, so a stream reader goes blind after the first cancelled
  transaction (every 412 and 409). We snapshot only the items the transaction names and the
  stream's length, and restore those. A cancelled transaction still leaves no trace.
* :func:`install_partition_queries`: moto answers every Query by sorting every item of the table
  (``Table.all_items``) and then filtering, so each Query costs O(n log n) in the table's size and
  the local stack slows down as data accumulates. A base-table or LSI Query now looks only at its
  partition, and a GSI Query at the items unsorted (moto sorts the matches itself, by full key).
"""

from __future__ import annotations

import copy
import inspect
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from local import template

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# The services a handler, job or poller may talk to, by the name boto3 reads
# (AWS_ENDPOINT_URL_<SERVICE_ID>) and by the name clientele.aws reads (AWS_ENDPOINT_URL_<name>).
_ENDPOINT_VARIABLES = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_ENDPOINT_URL_DYNAMODB_STREAMS",
    "AWS_ENDPOINT_URL_DYNAMODBSTREAMS",
    "AWS_ENDPOINT_URL_EVENTBRIDGE",
    "AWS_ENDPOINT_URL_EVENTS",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_SQS",
    "AWS_ENDPOINT_URL_SECRETS_MANAGER",
    "AWS_ENDPOINT_URL_SECRETSMANAGER",
    "AWS_ENDPOINT_URL_LAMBDA",
    "AWS_ENDPOINT_URL_KMS",
    "AWS_ENDPOINT_URL_STS",
)


class RepairFailed(RuntimeError):
    """A repair to moto no longer fits the installed moto (its internals changed)."""

    def __init__(self, repair: str, expected: str) -> None:
        import moto

        super().__init__(
            f"local/dynamodb.py: {repair} cannot install on moto {moto.__version__}: {expected}. "
            "moto's internals changed; update the repair (or pin the moto it was written for) "
            "before running the local stack or the tests.")


class Serialised:
    """WSGI middleware: one request at a time, response fully produced inside the lock."""

    def __init__(self, app: WSGIApp) -> None:
        self._app = app
        self._lock = threading.Lock()
        self.requests = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            self.requests += 1
            result = self._app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        return [body]


def install_transaction_rollback() -> Callable[[], None]:
    """Make moto's TransactWriteItems roll back by item instead of by deep-copying tables.

    Returns a function that undoes the change. Idempotent; raises :class:`RepairFailed` on a
    moto whose internals differ from what this expects.
    """
    from moto.dynamodb import models as backend_module
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import StreamShard, Table

    backend = backend_module.DynamoDBBackend
    original = backend.transact_write_items
    if getattr(original, "_item_rollback", False):
        return lambda: None
    try:
        expected = (getattr(backend_module, "copy", None) is copy
                    and "copy.deepcopy(" in inspect.getsource(original)
                    and "self.items = defaultdict(dict)" in inspect.getsource(Table.__init__)
                    and "self.items: list[StreamRecord]" in inspect.getsource(StreamShard.__init__))
    except (OSError, TypeError):
        expected = False
    if not expected:
        raise RepairFailed("install_transaction_rollback",
                           "DynamoDBBackend.transact_write_items no longer deep-copies tables with the "
                           "backend module's `copy`, or Table/StreamShard no longer keep their items as "
                           "this repair restores them")

    class _CopyWithoutTables:
        """``copy`` as moto's DynamoDB backend sees it: a Table "deep copy" is the table itself,
        so moto's own rollback becomes a no-op and ours does the work."""

        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

        @staticmethod
        def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    def snapshot(self: Any, transact_items: list[dict[str, Any]]) -> tuple[list[Any], dict[str, Any]]:
        saved: list[tuple[Any, Any, Any, Any]] = []
        streams: dict[str, tuple[Any, int]] = {}
        for entry in transact_items:
            for op in entry.values() if isinstance(entry, dict) else ():
                table = self.tables.get(op.get("TableName")) if isinstance(op, dict) else None
                if table is None:
                    continue
                attrs = op.get("Item") or op.get("Key") or {}
                if table.hash_key_attr not in attrs or (
                        table.range_key_attr is not None and table.range_key_attr not in attrs):
                    continue
                try:
                    hash_key = DynamoType(attrs[table.hash_key_attr])
                    range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
                    current = _stored(table, hash_key, range_key)
                except Exception:  # noqa: S112 - a malformed key: moto refuses it before writing
                    continue
                saved.append((table, hash_key, range_key, copy.deepcopy(current)))
                if table.name not in streams:
                    shard = table.stream_shard
                    streams[table.name] = (shard, len(shard.items) if shard is not None else 0)
        return saved, streams

    def restore(saved: list[Any], streams: dict[str, Any]) -> None:
        for table, hash_key, range_key, before in reversed(saved):
            if range_key is None:
                if before is None:
                    table.items.pop(hash_key, None)
                else:
                    table.items[hash_key] = before
                continue
            partition = table.items.get(hash_key)
            if before is None:
                if partition is not None:
                    partition.pop(range_key, None)
                    if not partition:
                        table.items.pop(hash_key, None)
            else:
                table.items[hash_key][range_key] = before
        for shard, length in streams.values():
            if shard is not None:
                del shard.items[length:]

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved, streams = snapshot(self, transact_items)
        try:
            original(self, transact_items)
        except BaseException:
            restore(saved, streams)
            raise

    transact_write_items._item_rollback = True  # type: ignore[attr-defined]
    backend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    backend_module.copy = _CopyWithoutTables()  # type: ignore[assignment]

    def undo() -> None:
        backend.transact_write_items = original  # type: ignore[method-assign]
        backend_module.copy = copy

    return undo


def install_partition_queries() -> Callable[[], None]:
    """Make moto's Query read only what it must (see the module docstring). Returns its undo;
    raises :class:`RepairFailed` on a moto whose internals differ from what this expects."""
    from moto.dynamodb.models.table import Table

    original_query, original_all_items = Table.query, Table.all_items
    if getattr(original_query, "_partition_queries", False):
        return lambda: None
    try:
        expected = ("self.all_items()" in inspect.getsource(original_query)
                    and "sorted(" in inspect.getsource(original_all_items))
    except (OSError, TypeError):
        expected = False
    if not expected:
        raise RepairFailed("install_partition_queries",
                           "Table.query no longer reads Table.all_items(), or all_items no longer sorts")
    scope = threading.local()  # per thread: only the query in progress on this thread is narrowed

    def all_items(self: Any) -> list[Any]:
        narrowed = getattr(scope, "narrowed", None)
        if narrowed is not None and narrowed[0] is self:
            return list(narrowed[1])
        return original_all_items(self)

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        local_indexes = {index.name for index in self.indexes}
        if index_name is None or index_name in local_indexes:
            value = hash_key
            if index_name is not None:  # an LSI shares the table's partition key
                value = next((v for name, v in kwargs.get("hash_key_conditions") or () if name == self.hash_key_attr),
                             None)
            partition = self.items.get(value) if value is not None else None
            candidates: Any = (partition.values() if self.range_key_attr else [partition]) if partition else []
        else:
            candidates = [item for hash_set in self.items.values()
                          for item in (hash_set.values() if self.range_key_attr else [hash_set])]
        previous = getattr(scope, "narrowed", None)
        scope.narrowed = (self, candidates)
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            scope.narrowed = previous

    query._partition_queries = True  # type: ignore[attr-defined]
    Table.query = query  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]

    def undo() -> None:
        Table.query = original_query  # type: ignore[method-assign]
        Table.all_items = original_all_items  # type: ignore[method-assign]

    return undo


def install_repairs() -> Callable[[], None]:
    """Both repairs; returns one undo for them."""
    undo_rollback = install_transaction_rollback()
    undo_queries = install_partition_queries()

    def undo() -> None:
        undo_queries()
        undo_rollback()

    return undo


def _stored(table: Any, hash_key: Any, range_key: Any) -> Any:
    """The stored item under a key, without creating an empty partition (``items`` is a defaultdict)."""
    partition = table.items.get(hash_key)
    if range_key is None:
        return partition
    return partition.get(range_key) if partition is not None else None


def _quiet_handler() -> type:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietMotoRequestHandler(MotoRequestHandler):
        """moto's request handler without werkzeug's per-request access log."""

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            return None

    return QuietMotoRequestHandler


class EmbeddedAws:
    """moto's server app on ``host``: a free port unless one is given; start() returns the URL."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.app: Serialised | None = None

    @property
    def endpoint(self) -> str:
        if self._server is None:
            raise RuntimeError("the embedded AWS is not running; call start() first")
        return f"http://{self._host}:{self._server.server_port}"

    def start(self) -> str:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        install_repairs()
        self.app = Serialised(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self._host, self._port, self.app, threaded=True,
                                   request_handler=_quiet_handler())
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="moto", daemon=True)
        self._thread.start()
        return self.endpoint

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None


def point_clients_at(endpoint: str, region: str = "us-east-1") -> None:
    """Send every AWS client this process creates to ``endpoint``, with dummy credentials.

    Forced, not defaulted: the local stack must never reach a real account, whatever the shell has.
    """
    for variable in _ENDPOINT_VARIABLES:
        os.environ[variable] = endpoint
    for variable in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN",
                     "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                     "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):
        os.environ.pop(variable, None)
    os.environ["AWS_ACCESS_KEY_ID"] = "local"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "local"
    os.environ["AWS_DEFAULT_REGION"] = region
    os.environ["AWS_REGION"] = region
    # Account-based DynamoDB endpoints make botocore want an account id; the streams client
    # against moto fails without this.
    os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def create_table(table_name: str, endpoint: str | None = None) -> str:
    """Create the table (keys, indexes, stream, TTL) from template.yaml, at ``endpoint`` or where this
    process's clients point (moto's ``mock_aws`` in the tests and the bench). Returns its stream ARN.

    The one table builder: the local stack, the tests and the bench all create the table here.
    """
    import boto3

    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region)
    dynamodb.create_table(TableName=table_name, **template.table_definition())
    ttl = template.ttl_attribute()
    if ttl:
        dynamodb.update_time_to_live(
            TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl}
        )
    description = dynamodb.describe_table(TableName=table_name)["Table"]
    return str(description.get("LatestStreamArn") or "")


def create_event_bus(bus_name: str, endpoint: str | None = None) -> None:
    import boto3

    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    boto3.client("events", endpoint_url=endpoint, region_name=region).create_event_bus(Name=bus_name)


def create_resources(endpoint: str, table_name: str, bus_name: str) -> str:
    """Create the table and the event bus (see :func:`create_table`); returns the table's stream ARN."""
    stream_arn = create_table(table_name, endpoint)
    create_event_bus(bus_name, endpoint)
    return stream_arn
