from backend.api.runs import DOWNLOAD_NAME_WORDS, download_name


def test_download_names_have_no_spaces_commas_slashes_or_quotes():
    name = download_name('Small model, fast inference, 320px / "v2"', "ab12cd34ef56", "best.onnx")
    assert name == "Small-model-fast-inference-320px-v2-ab12cd34ef56-best.onnx"
    run_name = "Small model, fast · YOLOv8n · 320 px · 10 ep · +5 ep"  # a run's name (backend/runs/naming.py)
    assert download_name(run_name, "r1", "best.pt") == "Small-model-fast-YOLOv8n-320-px-10-ep-5-ep-r1-best.pt"
    assert download_name("", "r1", "model card.md") == "run-r1-model-card.md"
    assert len(download_name("x" * 500, "r1", "best.pt")) == DOWNLOAD_NAME_WORDS + len("-r1-best.pt")
