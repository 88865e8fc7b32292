"""The stream processor's inside: pure projectors from a change's old and new images to derived
writes (``projectors``), and the writer that coalesces a batch's writes per derived item and
applies them exactly once in effect (``writer``). ``processor`` ties them to Powertools' batch
utility. See docs/design/stream-and-orders.md for why each derived item is exact under redelivery."""
