"""Sending a file to a staged upload target that ``stagedUploadsCreate`` gave (Shopify's storage)."""

import requests

from .errors import TemporaryError

UPLOAD_TIMEOUT = 60


def upload(target, filename, body, mime_type, timeout=UPLOAD_TIMEOUT):
    """POST ``body`` to ``target`` (a StagedMediaUploadTarget: its parameters, then the file); its ``key``.

    A network failure or a refusal is temporary: a new target is asked for on the retry.
    """
    form = {p["name"]: p["value"] for p in target.get("parameters") or []}
    try:
        response = requests.post(target["url"], data=form, files={"file": (filename, body, mime_type)}, timeout=timeout)
    except requests.RequestException as exc:
        raise TemporaryError(f"The file {filename} could not be uploaded to Shopify: {exc}") from exc
    if response.status_code >= 300:
        raise TemporaryError(f"Shopify's storage refused the file {filename} (HTTP {response.status_code}).")
    return form.get("key")
