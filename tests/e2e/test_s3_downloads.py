"""In Chromium, an object uploaded as HTML or SVG opens as a download, never as a page.

A real SeaweedFS (started here, stopped by PID) holds objects of active types; the proxy's
presigned GET makes Chromium download them, while the same object under a URL signed without
the proxy's overrides (the control) renders and runs its script, so the test can tell.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Error

from proxy.settings import Settings
from proxy.storage.models import PresignRequest
from proxy.storage.seaweed import EmbeddedS3
from proxy.storage.service import S3Service

ACTIVE = {
    "page.html": ("text/html", b"<!doctype html><title>inert</title><script>document.title='ran'</script>"),
    "image.svg": ("image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"><title>inert</title>'
                                   b"<script>document.title='ran'</script></svg>"),
    "page.xhtml": ("application/xhtml+xml", b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>inert</title>'
                                            b"<script>document.title='ran'</script></head></html>"),
}


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmbeddedS3, S3Service]]:
    folder = Path(tmp_path_factory.mktemp("s3-downloads"))
    weed = EmbeddedS3(folder / "data", "http://127.0.0.1:9")
    endpoint = weed.start()
    try:
        yield weed, S3Service(Settings(_env_file=None, data_dir=folder / "data", **endpoint.settings_update()))
    finally:
        weed.stop()


@pytest.mark.parametrize("name", ACTIVE)
def test_active_objects_open_as_downloads(browser: Browser, storage, name: str):
    weed, service = storage
    content_type, body = ACTIVE[name]
    admin = weed.client()
    admin.put_object(Bucket=service.bucket, Key=f"users/u1/{name}", Body=body, ContentType=content_type)
    signed = service.presign("u1", PresignRequest(op="get", key=name)).url
    control = admin.generate_presigned_url("get_object", Params={"Bucket": service.bucket, "Key": f"users/u1/{name}"})
    origin = weed.endpoint.endpoint_url
    context = browser.new_context(accept_downloads=True)
    context.route(lambda url: not url.startswith(origin), lambda route: route.abort())
    try:
        page = context.new_page()
        # The control: without the overrides, the same bytes are a live document.
        page.goto(control)
        page.wait_for_function("document.title === 'ran'", timeout=10_000)

        page = context.new_page()
        with page.expect_download(timeout=10_000) as download_info:
            with pytest.raises(Error):  # Chromium aborts the navigation: it is a download
                page.goto(signed)
        download = download_info.value
        assert Path(download.path()).read_bytes() == body
        assert page.url in ("about:blank", "") and page.title() != "ran"
    finally:
        context.close()
