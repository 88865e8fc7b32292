"""The table's stream → children index, contact-point index, project rollups, report counters,
domain events and SET NULL fan-out (SPEC §5.1). Partial failures are reported per record."""

from typing import Any

from aws_lambda_powertools.utilities.batch import process_partial_response

from clientele import observability
from clientele.streams.processor import StreamProcessor

processor = StreamProcessor()


def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=processor.project, processor=processor,
                                         context=context))


lambda_handler = observability.observe_stream(_handle)
