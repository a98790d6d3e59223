"""With S3 storage, `vg audit-anchor` also puts the signed head in the bucket (moto server)."""

from __future__ import annotations

import json


def test_the_anchor_is_put_in_the_bucket_and_storage_check_leaves_it_alone(
    app, make, moto_s3, bucket
):
    app.config.update(
        STORAGE_URL=f"s3://{bucket}/vg", S3_ENDPOINT_URL=moto_s3.endpoint, S3_REGION="us-east-1"
    )
    make.contractor()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["vg", "audit-anchor"])
    assert result.exit_code == 0, result.output
    listed = moto_s3.client().list_objects_v2(Bucket=bucket, Prefix="vg/audit-anchors/")
    [entry] = listed["Contents"]
    body = moto_s3.client().get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
    anchor = json.loads(body)
    assert anchor["seq"] >= 1 and len(anchor["signature"]) == 64
    assert f"also stored as audit-anchors/{anchor['seq']:012d}-" in result.output
    checked = runner.invoke(
        args=["vg", "storage-check", "--remove-orphans", "--min-age-minutes", "0"]
    )
    assert checked.exit_code == 0, checked.output
    assert "audit-anchors" not in checked.output
    assert (
        moto_s3.client().list_objects_v2(Bucket=bucket, Prefix="vg/audit-anchors/")["KeyCount"] == 1
    )
