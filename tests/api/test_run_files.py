"""A damaged file in a run folder is a clear 409 naming it, never a server error."""

import pytest
from litestar.exceptions import HTTPException

from backend.api.insights import read_run_file


@pytest.mark.parametrize("content", ['{"items": [', "[1, 2]", ""])
def test_a_damaged_run_file_is_a_409_naming_it(tmp_path, content):
    path = tmp_path / "predictions.json"
    path.write_text(content)
    with pytest.raises(HTTPException) as raised:
        read_run_file(path)
    assert raised.value.status_code == 409 and "predictions.json" in raised.value.detail


def test_a_sound_run_file_is_read(tmp_path):
    (tmp_path / "label_errors.json").write_text('{"likely_mislabelled": []}')
    assert read_run_file(tmp_path / "label_errors.json") == {"likely_mislabelled": []}
