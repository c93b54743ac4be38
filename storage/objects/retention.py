"""Which objects may be put under retention.

Only signed results are retained: MinIO can lock objects only in a bucket created with object
lock, and only the signed bucket is, so both backends refuse ``retain`` elsewhere alike.
"""

from __future__ import annotations

from config.errors import ExitCode
from storage.objects.base import Bucket
from storage.objects.errors import StorageError

RETAINABLE = frozenset({Bucket.SIGNED})


def check_retain(bucket: Bucket, retain: bool) -> None:
    if retain and Bucket(bucket) not in RETAINABLE:
        raise StorageError(
            "Chỉ kết quả đã ký mới được lưu giữ có thời hạn "
            f"(retention applies to signed results, not {bucket})",
            exit_code=ExitCode.BAD_ARGS,
        )
