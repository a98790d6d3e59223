"""Where files live: a local directory (default) or S3-compatible object storage.

Use :func:`get_storage` for the configured backend; keys come from :func:`new_key`.
"""

from vendorguard.storage.base import (
    ObjectInfo,
    Readable,
    Storage,
    StorageError,
    StorageNotFound,
    StorageTooLarge,
    StoredObject,
    check_key,
    new_key,
)
from vendorguard.storage.factory import get_storage, storage_from_url

__all__ = [
    "ObjectInfo",
    "Readable",
    "Storage",
    "StorageError",
    "StorageNotFound",
    "StorageTooLarge",
    "StoredObject",
    "check_key",
    "get_storage",
    "new_key",
    "storage_from_url",
]
