#!/usr/bin/env python3
"""Sync contracts (業務委託) from a CSV file into vendorguard through its REST API.

    VENDORGUARD_TOKEN=vg_… python3 sync_contracts.py https://vendorguard.city.example.jp contracts.csv

The CSV (UTF-8, UTF-8 with BOM or CP932) has a header row with these columns:

    契約番号, 業務名, 所管課コード, 法人番号, 開始日, 終了日

Dates are YYYY-MM-DD. A row whose 契約番号 is not registered yet is created; a registered one is
changed only where the CSV differs (PATCH with If-Match, so a change someone made in the meantime
is never overwritten); running the same file twice changes nothing. ``--dry-run`` only reports.
Needs the ``requests`` package and a read-write token of a user who may register engagements.
Exit status: 0 when every row went through, 1 when any row was refused (each is printed).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
from dataclasses import dataclass, field

import requests

COLUMNS = {
    "契約番号": "contract_number",
    "業務名": "title",
    "所管課コード": "department_code",
    "法人番号": "corporate_number",
    "開始日": "starts_on",
    "終了日": "ends_on",
}
COMPARED = ("title", "department_id", "contractor_id", "starts_on", "ends_on")
MAX_RETRIES = 5  # on 429, wait as Retry-After says, at most this many times per request


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Api:
    """A thin client: bearer token, JSON, Accept-Language ja, waits on 429."""

    def __init__(self, base_url: str, token: str, session: requests.Session | None = None):
        self.base = base_url.rstrip("/") + "/api/v1"
        self.http = session or requests.Session()
        self.http.headers.update({"Authorization": f"Bearer {token}", "Accept-Language": "ja"})

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        if not url.startswith("http"):
            url = self.base + url
        for _attempt in range(MAX_RETRIES):
            response = self.http.request(method, url, timeout=30, **kwargs)
            if response.status_code != 429:
                return response
            time.sleep(min(60, int(response.headers.get("Retry-After", "1"))))
        return response

    def all_pages(self, path: str) -> list[dict]:
        """Every row of a list, following the Link header's rel="next"."""
        rows, url = [], f"{path}{'&' if '?' in path else '?'}per_page=200"
        for _page in range(10_000):
            response = self.request("GET", url)
            response.raise_for_status()
            rows.extend(response.json())
            url = response.links.get("next", {}).get("url")
            if not url:
                break
        return rows


def read_rows(data: bytes) -> list[dict[str, str]]:
    """The CSV's rows keyed by the API's field names (UTF-8, UTF-8 with BOM or CP932)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp932")
    reader = csv.DictReader(io.StringIO(text))
    missing = set(COLUMNS) - set(reader.fieldnames or ())
    if missing:
        raise SystemExit(f"CSVに列がありません: {', '.join(sorted(missing))}")
    return [
        {key: (row.get(header) or "").strip() for header, key in COLUMNS.items()}
        for row in reader
        if any((value or "").strip() for value in row.values())
    ]


def sync(api: Api, rows: list[dict[str, str]], dry_run: bool = False) -> Report:
    """Create or update one engagement per row; see the module's docstring."""
    report = Report()
    departments = {d["code"]: d["id"] for d in api.all_pages("/departments")}
    contractors = {
        c["corporate_number"]: c["id"]
        for c in api.all_pages("/contractors")
        if c["corporate_number"]
    }
    for line, row in enumerate(rows, start=2):
        number = row["contract_number"]
        label = f"{line}行目（契約番号 {number or '空欄'}）"
        if not number:
            report.errors.append(f"{label}: 契約番号がありません")
            continue
        if row["department_code"] not in departments:
            report.errors.append(
                f"{label}: 所管課コード {row['department_code']} が登録されていません"
            )
            continue
        corporate_number = row["corporate_number"].replace("-", "")
        if corporate_number not in contractors:
            report.errors.append(
                f"{label}: 法人番号 {row['corporate_number']} の委託事業者が登録されていません"
            )
            continue
        wanted = {
            "contract_number": number,
            "title": row["title"],
            "department_id": departments[row["department_code"]],
            "contractor_id": contractors[corporate_number],
            "starts_on": row["starts_on"],
            "ends_on": row["ends_on"],
        }
        found = api.request(
            "GET", "/engagements", params={"contract_number": number, "include_archived": "true"}
        )
        found.raise_for_status()
        if not found.json():
            if not dry_run:
                response = api.request("POST", "/engagements", json=wanted)
                if response.status_code != 201:
                    report.errors.append(f"{label}: {_reason(response)}")
                    continue
            report.created.append(number)
            continue
        current = found.json()[0]
        changes = {key: wanted[key] for key in COMPARED if current[key] != wanted[key]}
        if not changes:
            report.unchanged.append(number)
            continue
        if not dry_run:
            detail = api.request("GET", f"/engagements/{current['id']}")
            response = api.request(
                "PATCH",
                f"/engagements/{current['id']}",
                json=changes,
                headers={"If-Match": detail.headers["ETag"]},
            )
            if response.status_code != 200:
                report.errors.append(f"{label}: {_reason(response)}")
                continue
        report.updated.append(number)
    return report


def _reason(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    details = "; ".join(
        f"{k}: {' '.join(map(str, v))}" for k, v in (body.get("errors") or {}).items()
    )
    return f"{body.get('message')} [{body.get('code')}]" + (f" {details}" if details else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "base_url", help="vendorguard のURL（例 https://vendorguard.city.example.jp）"
    )
    parser.add_argument("csv", help="契約のCSVファイル")
    parser.add_argument("--dry-run", action="store_true", help="変更せず、何をするかだけ表示する")
    args = parser.parse_args(argv)
    token = os.environ.get("VENDORGUARD_TOKEN", "")
    if not token:
        print("環境変数 VENDORGUARD_TOKEN にAPIトークンを設定してください。", file=sys.stderr)
        return 2
    with open(args.csv, "rb") as handle:
        rows = read_rows(handle.read())
    report = sync(Api(args.base_url, token), rows, dry_run=args.dry_run)
    print(
        f"登録 {len(report.created)}件、更新 {len(report.updated)}件、変更なし {len(report.unchanged)}件、エラー {len(report.errors)}件"
    )
    for error in report.errors:
        print(error, file=sys.stderr)
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
