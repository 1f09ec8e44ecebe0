"""Private file storage for PDFs: never a public media URL, only signed download links."""

from __future__ import annotations

from typing import Any, cast

from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.functional import LazyObject, empty

from .conf import private_root, setting


class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name: str | None) -> str:
        # A public URL would bypass the signed, expiring links.
        raise NotImplementedError("Documents are private; use saypro_invoicing.links.download_url().")


class _LazyPrivateStorage(LazyObject):
    def _setup(self) -> None:
        alias = setting("STORAGE")
        self._wrapped = storages[alias] if alias else PrivateFileSystemStorage(location=private_root())


_storage = _LazyPrivateStorage()


def private_storage() -> Storage:
    """Callable for FileField(storage=...): resolved lazily so settings can change it (tests, deploys)."""
    return _storage  # type: ignore[return-value]


def reset_private_storage() -> None:
    """Forget the resolved storage, after the settings changed."""
    _storage._wrapped = cast(Any, empty)  # LazyObject's marker for "not resolved yet"
