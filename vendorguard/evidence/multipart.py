"""Parsing a multipart/form-data body as a stream (the upload flow is :mod:`.uploads`).

``Parts`` pulls Werkzeug's sans-IO ``MultipartDecoder`` events out of the request stream, reading
from the client only when the decoder needs data, and hands a file part's body over mostly as
views of the reads themselves; ``PartReader`` makes one file part's body a readable stream for
``Storage.put``. Neither keeps more than a read (1 MiB) and the part being asked for.
"""

from __future__ import annotations

import io

from werkzeug.sansio.multipart import Data, Epilogue, MultipartDecoder, NeedData, State

from vendorguard.storage.base import Readable

MB = 1024 * 1024
READ_SIZE = 64 * 1024  # bytes read from the client at a time (headers, fields, drain)
# Inside a part's body larger reads are cheap (see Parts._fast_data) and cut per-read overhead.
DATA_READ_SIZE = MB
_HEADER_LIMIT = 64 * 1024  # a preamble or one part's headers
_PREALLOCATE_LIMIT = 64 * MB  # a larger read(n) grows its buffer as data arrives


class MalformedBody(ValueError):
    """The multipart body cannot be parsed (crafted, truncated, or a wrong boundary)."""


class Parts:
    """Pulls events out of the multipart decoder, reading from the client only when it needs data."""

    def __init__(self, stream: Readable, boundary: bytes, max_parts: int | None):
        self._stream = stream
        self._decoder = MultipartDecoder(boundary, max_parts=max_parts)
        self._marker = b"--" + boundary
        # Bytes at the end of a read that might begin a boundary (with its line break before it).
        self._keep = len(self._marker) + 2

    def next_event(self):
        while True:
            if self._decoder.state == State.EPILOGUE:
                # After the closing boundary only an epilogue may follow (usually CRLF): read a
                # little of it, never keep it.
                self._stream.read(_HEADER_LIMIT)
                return Epilogue(b"")
            if self._decoder.state == State.DATA:
                data = self._fast_data()
                if data is not None:
                    # may be a memoryview: PartReader and read_field take any bytes-like data
                    return Data(data=data, more_data=True)
            try:
                event = self._decoder.next_event()
            except ValueError as error:  # also UnicodeDecodeError in part headers
                raise MalformedBody(str(error)) from error
            if not isinstance(event, NeedData):
                return event
            if (
                self._decoder.state in (State.PREAMBLE, State.PART)
                and len(self._decoder.buffer) > _HEADER_LIMIT
            ):
                # A wrong boundary or endless part headers would otherwise pile up in memory.
                raise MalformedBody("multipart preamble or part headers too long")
            chunk = self._stream.read(READ_SIZE)
            self._decoder.receive_data(chunk or None)

    def _fast_data(self) -> bytes | memoryview | None:
        """Inside a part's body: the next read's bytes that cannot belong to a boundary, as a view
        of the read (no copy), or None to let the decoder go on.

        Werkzeug's decoder copies every read three times and scans it with Python-level slicing;
        here the read is searched once for ``--boundary`` (C ``bytes.find``). Everything from a
        possible boundary on (its optional line break included), and the last bytes that might
        start one, go back to the decoder, which decides exactly as before where the part ends.
        """
        buffer = self._decoder.buffer
        if len(buffer) > self._keep:
            return None  # the decoder holds data of its own: let it emit that first
        chunk = self._stream.read(DATA_READ_SIZE)
        if not chunk:
            self._decoder.receive_data(None)
            return None
        if buffer:
            chunk = bytes(buffer) + chunk
            buffer.clear()
        # The decoder must see a boundary whole, with what follows it ("--" or a line break):
        # fed only part of that, Werkzeug's decoder can take the CR before it for data.
        while True:
            found = chunk.find(self._marker)
            if found == -1 and len(chunk) > self._keep:
                break
            if found != -1 and len(chunk) >= found + len(self._marker) + 4:
                break
            more = self._stream.read(DATA_READ_SIZE)
            if not more:
                break
            chunk += more
        cut = len(chunk) - self._keep if found == -1 else found - 2
        if cut <= 0:
            self._decoder.receive_data(chunk)
            return None
        self._decoder.receive_data(chunk[cut:])  # small, or once per part: the part's end
        return memoryview(chunk)[:cut]

    def next_data(self) -> Data:
        event = self.next_event()
        if not isinstance(event, Data):
            raise MalformedBody(f"expected part data, got {event!r}")
        return event


class PartReader:
    """The body of one file part as a readable stream; ``read(n)`` returns n bytes until the end
    (s3transfer sizes its multipart parts by what one read returns)."""

    def __init__(self, parts: Parts):
        self._parts = parts
        # received, not yet read (bytes or views of a read); joined once per read
        self._chunks: list[bytes | memoryview] = []
        self._buffered = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def _fill(self, size: int) -> None:
        while self._buffered < size and not self._done:
            event = self._parts.next_data()
            if event.data:
                self._chunks.append(event.data)
                self._buffered += len(event.data)
            self._done = not event.more_data

    def peek(self, size: int) -> bytes:
        self._fill(size)
        return b"".join(self._chunks)[:size]

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            raise ValueError("read the part in chunks")
        # Each piece is copied once, as it arrives, into a buffer of the final size allocated
        # up front, and freed; getvalue() hands that buffer over without a copy. So a part
        # (s3transfer reads whole parts) never exists twice in memory, as it did when its pieces
        # were joined at the end, and every part is one allocation of the same size, which the
        # C allocator maps and unmaps whole instead of leaving fragments of grown buffers behind.
        out = io.BytesIO()
        if size > 1:
            out.seek(min(size, _PREALLOCATE_LIMIT) - 1)
            out.write(b"\0")
            out.seek(0)
        count = 0
        while count < size:
            if not self._chunks:
                if self._done:
                    break
                self._fill(1)
                continue
            chunk = self._chunks.pop(0)
            if count + len(chunk) > size:
                cut = size - count
                chunk, rest = chunk[:cut], chunk[cut:]
                self._chunks.insert(0, rest)
            out.write(chunk)
            count += len(chunk)
            self._buffered -= len(chunk)
        out.truncate(count)
        return out.getvalue()

    def skip(self) -> None:
        while self.read(READ_SIZE):
            pass
