"""ISMAP test helpers: list files built in the test (xlsx, UTF-8 CSV, CP932 CSV) and a local HTTP server."""

from __future__ import annotations

import csv
import io
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openpyxl
import pytest

from vendorguard.core.timeutil import today_tokyo

HEADER = [
    "登録番号",
    "登録日",
    "クラウドサービス名",
    "クラウドサービス事業者名",
    "監査対象期間",
    "有効期限",
    "備考",
]


def sample_rows(today: date | None = None) -> list[list]:
    """Five registrations; the validity of the second ends in 20 days."""
    today = today or today_tokyo()
    soon = today + timedelta(days=20)
    return [
        [
            "C21-0001-1",
            "2021年3月12日",
            "テストクラウド基盤サービス",
            "株式会社テストクラウド",
            "2024年4月1日～2025年3月31日",
            "",
            "",
        ],
        [
            "C21-0002-1",
            "2021/04/01",
            "庁内ファイル共有サービス",
            "ファイル共有株式会社",
            "",
            f"{soon:%Y/%m/%d}",
            "",
        ],
        [
            "C22-0003-1",
            "令和4年6月1日",
            "電子申請プラットフォーム",
            "ジチタイ・システムズ株式会社",
            "R6.1.1-R6.12.31",
            "",
            "更新審査中",
        ],
        [
            "C22-0004-2",
            "2022-08-01",
            "Example Cloud Platform",
            "Example Japan合同会社",
            "2025年1月1日～2025年12月31日",
            "",
            "2024年更新",
        ],
        [
            "C23-0005-1",
            "2023年10月2日",
            "グループウェア クラウド",
            "（株）グループウェア研究所",
            "",
            "2030年3月31日",
            "",
        ],
    ]


def xlsx_bytes(
    header: list[str] = HEADER,
    rows: list[list] | None = None,
    title: bool = True,
    native_dates: bool = True,
) -> bytes:
    """A workbook shaped like a published list: a title row, a blank row, the header, the rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "ISMAPクラウドサービスリスト"
    if title:
        sheet.append(["ISMAP クラウドサービスリスト（令和7年4月1日時点）"])
        sheet.append([])
    sheet.append(header)
    for row in sample_rows() if rows is None else rows:
        row = list(row)
        if native_dates and isinstance(row[1], str) and row[1][:4].isdigit() and "/" in row[1]:
            row[1] = datetime.strptime(row[1], "%Y/%m/%d")  # a real Excel date cell
        sheet.append(row)
        sheet.append([])  # blank rows between entries are tolerated
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    header: list[str] = HEADER, rows: list[list] | None = None, encoding: str = "utf-8"
) -> bytes:
    """The list as CSV in the given encoding (utf-8, utf-8-sig or cp932)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["ISMAP クラウドサービスリスト"])
    writer.writerow(header)
    writer.writerows(sample_rows() if rows is None else rows)
    return buffer.getvalue().encode(encoding)


@dataclass
class Route:
    """What the server answers on one path."""

    body: bytes = b""
    status: int = 200
    delay: float = 0.0
    send_length: bool = True
    content_type: str = "application/octet-stream"


@dataclass
class FileServer:
    """A local HTTP server; put ``Route``s into ``routes`` by path."""

    base_url: str
    routes: dict[str, Route] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture
def file_server():
    """An HTTP server on 127.0.0.1 (port chosen by the OS) serving test files from a thread."""
    stop = threading.Event()
    routes: dict[str, Route] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            route = routes.get(self.path)
            if route is None:
                self.send_error(404, "Not Found")
                return
            if route.delay:
                stop.wait(route.delay)  # bounded, and cut short when the test ends
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.send_length:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            try:
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (size limit or timeout), as it should

        def log_message(self, format, *args):  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield FileServer(f"http://127.0.0.1:{server.server_port}", routes)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def free_port() -> int:
    """A port nothing listens on (bound and released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def elapsed():
    """``with elapsed() as clock: ...`` then ``clock.seconds``."""
    from contextlib import contextmanager

    class Clock:
        seconds = 0.0

    @contextmanager
    def measuring():
        clock = Clock()
        start = time.monotonic()
        try:
            yield clock
        finally:
            clock.seconds = time.monotonic() - start

    return measuring
