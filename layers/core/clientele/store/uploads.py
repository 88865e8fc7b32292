"""The import's CSV file in S3 (``imports/<org>/<id>.csv``, see :func:`store.imports.object_key`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from clientele import aws
from clientele.config import config
from clientele.store.imports import object_key

CHUNK_BYTES = 64 * 1024


def put_csv(org: str, import_id: str, body: bytes) -> None:
    """Store an inline CSV where an upload would have put it (its arrival starts the job)."""
    aws.client("s3").put_object(Bucket=config().imports_bucket, Key=object_key(org, import_id), Body=body,
                                ContentType="text/csv")


def upload_url(org: str, import_id: str, expires_seconds: int) -> str:
    """A pre-signed PUT for the client to upload the import's CSV itself."""
    return str(aws.client("s3").generate_presigned_url(
        "put_object", Params={"Bucket": config().imports_bucket, "Key": object_key(org, import_id)},
        ExpiresIn=expires_seconds,
    ))


def read_chunks(bucket: str, org: str, import_id: str, offset: int = 0) -> Iterator[bytes]:
    """The file's bytes from ``offset`` on (a ranged GET when resuming), streamed in chunks: memory stays
    flat whatever the size. An offset at the very end of the file yields nothing."""
    client = aws.client("s3")
    request: dict[str, Any] = {"Bucket": bucket, "Key": object_key(org, import_id)}
    if offset:
        request["Range"] = f"bytes={offset}-"
    try:
        body = client.get_object(**request)["Body"]
    except client.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "InvalidRange":  # the checkpoint was at the very end
            return iter(())
        raise
    return body.iter_chunks(chunk_size=CHUNK_BYTES)
