"""Uploaded files are served as the image type their content is, never as the name they came with (issue 10): an
image named `.html` or `.svg` is served as the JPEG, PNG, WebP, BMP or TIFF it is, under a generated file name, with
`Content-Disposition` and `nosniff`; SVG, HTML and anything else that is not one of those images is refused at upload
and so never served. (A PNG with HTML after its end: tests/api/test_origins.py.)"""

import io
import zipfile

from PIL import Image

from backend.api.assets import MEDIA_TYPES
from backend.datasets.images import ALLOWED_FORMATS
from tests.api.helpers import new_project, png_bytes, upload

NEVER_SERVED_AS = ("text/html", "image/svg+xml", "text/xml", "application/xml", "application/xhtml+xml")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.domain)</script></svg>'
HTML = b"<!doctype html><html><script>alert(document.domain)</script></html>"


def image_bytes(image_format: str, shade: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (shade, 40, 200 - shade)).save(buffer, format=image_format)
    return buffer.getvalue()


def assert_served_safely(served, media_type: str, filename: str) -> None:
    assert served.status_code == 200
    assert served.headers["content-type"] == media_type
    assert served.headers["content-type"] not in NEVER_SERVED_AS
    assert served.headers["content-disposition"] == f'inline; filename="{filename}"'
    assert served.headers["x-content-type-options"] == "nosniff"


async def test_each_image_is_served_as_the_type_its_content_is_under_a_generated_name(client):
    project = await new_project(client)
    named = {"JPEG": "photo.png", "PNG": "page.html", "WEBP": "drawing.svg", "BMP": "x.htm", "TIFF": "scan.jpg"}
    sent = {named[f]: (f, image_bytes(f, shade)) for shade, f in enumerate(ALLOWED_FORMATS, start=1)}
    report = (await upload(client, project["id"], [(name, content) for name, (_, content) in sent.items()])).json()
    assert sorted(a["filename"] for a in report["imported"]) == sorted(sent) and report["rejected"] == []
    for asset in report["imported"]:
        image_format, content = sent[asset["filename"]]
        ext = ALLOWED_FORMATS[image_format]
        served = await client.get(asset["url"])
        assert_served_safely(served, MEDIA_TYPES[ext], f"{asset['id']}.{ext}")
        assert served.content == content
        thumbnail = await client.get(asset["thumbnail_url"])
        assert_served_safely(thumbnail, "image/jpeg", f"{asset['id']}.jpg")
        assert thumbnail.content.startswith(b"\xff\xd8\xff")


async def test_svg_html_and_other_formats_are_refused_at_upload_so_never_served(client, settings):
    project = await new_project(client)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as folder:
        folder.writestr("cats/evil.svg", SVG)
        folder.writestr("cats/page.html", HTML)
        folder.writestr("cats/evil.png", SVG)
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, format="GIF")
    files = [
        ("logo.svg", SVG),
        ("logo.png", SVG),
        ("index.html", HTML),
        ("index.png", HTML),
        ("html_first.png", HTML + png_bytes()),  # a polyglot that opens as HTML is no image
        ("anim.gif", gif.getvalue()),
        ("set.zip", archive.getvalue()),
    ]
    answer = await upload(client, project["id"], files)
    assert answer.status_code == 422
    report = answer.json()
    assert report["imported"] == [] and report["duplicates"] == []
    assert {r["filename"] for r in report["rejected"]} == {
        "logo.svg",
        "logo.png",
        "index.html",
        "index.png",
        "html_first.png",
        "anim.gif",
        "set.zip: cats/evil.svg",
        "set.zip: cats/page.html",
        "set.zip: cats/evil.png",
    }
    assert (await client.get(f"/api/projects/{project['id']}/assets")).json()["total"] == 0
    assert [p for p in settings.data_dir.rglob("*") if p.is_file() and p.suffix in (".svg", ".html", ".gif")] == []
