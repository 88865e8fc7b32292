"""Reading the CSV file: text lines from byte chunks, and how many bytes of the file they came from."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator

_LINE_END = re.compile(r"\r\n|\r|\n")


class Lines:
    """Text lines (with their line ends, as csv wants) from byte chunks, and how many bytes of the
    file they came from, so a checkpoint can say where to continue. Lines end at ``\\r\\n``, ``\\n`` or
    ``\\r`` (old Mac files), so no file is held in memory as one line. A BOM at the start is dropped."""

    def __init__(self, chunks: Iterable[bytes], offset: int = 0) -> None:
        self._chunks = chunks
        self.consumed = offset
        self._at_start = offset == 0

    def __iter__(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        pending = ""
        for chunk in self._chunks:
            if self._at_start:
                self._at_start = False
                if chunk.startswith(codecs.BOM_UTF8):
                    chunk = chunk[len(codecs.BOM_UTF8):]
                    self.consumed += len(codecs.BOM_UTF8)
            pending += decoder.decode(chunk)
            start = 0
            while (end := _LINE_END.search(pending, start)) is not None:
                if end.group() == "\r" and end.end() == len(pending):
                    break  # a "\r" at the end of a chunk may be the first half of "\r\n"
                yield self._line(pending[start:end.end()])
                start = end.end()
            pending = pending[start:]
        pending += decoder.decode(b"", final=True)
        if pending:
            yield self._line(pending)

    def _line(self, line: str) -> str:
        self.consumed += len(line.encode("utf-8"))
        return line


def lines(chunks: Iterable[bytes]) -> Iterator[str]:
    return iter(Lines(chunks))
