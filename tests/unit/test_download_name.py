from backend.api.runs import download_name


def test_download_names_have_no_spaces_commas_slashes_or_quotes():
    name = download_name('Small model, fast inference, 320px / "v2"', "ab12cd34ef56", "best.onnx")
    assert name == "Small-model-fast-inference-320px-v2-ab12cd34ef56-best.onnx"
    assert download_name("", "r1", "model card.md") == "run-r1-model-card.md"
    assert len(download_name("x" * 500, "r1", "best.pt")) == 60 + len("-r1-best.pt")
