"""The runner reports a failing notebook precisely and still runs the others."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cxwb import cli, runner


def make(folder, name, *sources):
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [new_code_cell('dataset = "hotel"\ndata_dir = None\nlang = "en"', metadata={"tags": ["parameters"]})]
    nb.cells += [new_markdown_cell("# hello", metadata={"tags": ["lang-en"]}), new_markdown_cell("# 你好", metadata={"tags": ["lang-zh"]})]
    nb.cells += [new_code_cell(s) for s in sources]
    nbformat.write(nb, str(folder / name))


def test_failing_notebook_is_named_with_cell_and_error_and_others_run(tmp_path, capsys):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    make(nbs, "01_good.ipynb", "x = 1 + 1", "print(lang)")
    make(nbs, "02_bad.ipynb", "y = 2", "raise ValueError('bad column nps')")
    make(nbs, "03_after.ipynb", "z = 3")
    out = tmp_path / "reports"
    code = cli.main(["run", "--notebooks", str(nbs), "--out", str(out), "--lang", "zh"])
    printed = capsys.readouterr().out
    assert code == 1
    assert "FAILED  02_bad [hotel/zh]" in printed and "ValueError: bad column nps" in printed
    assert "cell " in printed.split("FAILED", 1)[1]
    assert "ok      01_good" in printed and "ok      03_after" in printed
    assert "3 notebooks run, 1 failed" in printed.splitlines()[-1]
    assert (out / "index.html").exists()
    good = (out / "01_good.hotel.zh.html").read_text(encoding="utf-8")
    assert "你好" in good and "hello" not in good.split("<body", 1)[1]
    # the Chinese glyphs travel with the page, so it renders on machines without CJK fonts
    assert 'font-family:"CXWB CJK";src:url(data:font/woff;base64,' in good


def make_two_worlds(folder, name):
    """A lesson with a shared cell and one cell per world, in both languages."""
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [new_code_cell('dataset = "hotel"\ndata_dir = None\nlang = "en"', metadata={"tags": ["parameters"]})]
    for lang, shared in (("en", "SHARED_EN"), ("zh", "共用说明")):
        nb.cells += [new_markdown_cell(shared, metadata={"tags": [f"lang-{lang}"]}),
                     new_markdown_cell(f"HOTEL_ONLY_{lang}", metadata={"tags": [f"lang-{lang}", "world-hotel"]}),
                     new_markdown_cell(f"SHOP_ONLY_{lang}", metadata={"tags": [f"lang-{lang}", "world-ecommerce"]})]
    nb.cells += [new_code_cell("print(dataset)")]
    nbformat.write(nb, str(folder / name))


def test_report_keeps_the_shared_cells_and_those_of_its_world_only(tmp_path):
    make_two_worlds(tmp_path, "01_worlds.ipynb")
    out = tmp_path / "r"
    assert cli.main(["run", "--notebooks", str(tmp_path), "--out", str(out), "--dataset", "ecommerce", "--lang", "zh"]) == 0
    shop = (out / "01_worlds.ecommerce.zh.html").read_text(encoding="utf-8").split("<body", 1)[1]
    assert "共用说明" in shop and "SHOP_ONLY_zh" in shop
    assert "HOTEL_ONLY" not in shop and "SHOP_ONLY_en" not in shop and "SHARED_EN" not in shop
    assert cli.main(["run", "--notebooks", str(tmp_path), "--out", str(out)]) == 0  # the notebook's own world: hotel
    hotel = (out / "01_worlds.hotel.en.html").read_text(encoding="utf-8").split("<body", 1)[1]
    assert "SHARED_EN" in hotel and "HOTEL_ONLY_en" in hotel and "SHOP_ONLY" not in hotel


def test_best_report_keeps_the_cells_of_its_world_only(tmp_path):
    make_two_worlds(tmp_path, "10_cx_report.ipynb")
    run = runner.build_report("ecommerce", "en", tmp_path / "report.html", notebook=tmp_path / "10_cx_report.ipynb")
    assert run.ok, run.describe()
    page = (tmp_path / "report.html").read_text(encoding="utf-8").split("<body", 1)[1]
    assert "SHARED_EN" in page and "SHOP_ONLY_en" in page and "HOTEL_ONLY" not in page


def test_only_selects_by_number(tmp_path):
    make(tmp_path, "01_a.ipynb", "pass")
    make(tmp_path, "02_b.ipynb", "pass")
    assert [p.name for p in runner.discover(tmp_path, ["02"])] == ["02_b.ipynb"]
    assert len(runner.discover(tmp_path, ["01,02"])) == 2


def test_all_good_exits_zero(tmp_path):
    make(tmp_path, "01_a.ipynb", "pass")
    assert cli.main(["run", "--notebooks", str(tmp_path), "--out", str(tmp_path / "r")]) == 0


def test_relative_folders_as_make_run_passes_them(tmp_path, monkeypatch):
    # papermill runs each notebook in its own folder: every path the runner opens must not depend on it
    (tmp_path / "nbs").mkdir()
    make(tmp_path / "nbs", "01_a.ipynb", "print('hi')")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run", "--notebooks", "nbs", "--out", "reports"]) == 0
    assert (tmp_path / "reports" / "01_a.hotel.en.html").exists()


def test_report_is_self_contained_escaped_with_toc_and_no_code(tmp_path):
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [
        new_code_cell('dataset = "hotel"\ndata_dir = None\nlang = "en"', metadata={"tags": ["parameters"]}),
        new_markdown_cell("## Sound: what customers say", metadata={"tags": ["lang-en"]}),
        new_markdown_cell("## 客户原声", metadata={"tags": ["lang-zh"]}),
        new_code_cell(
            "import pandas as pd\n"
            "import matplotlib.pyplot as plt\n"
            "SECRET_CODE_MARKER = 1\n"
            "pd.DataFrame({'text': ['<script>alert(1)</script> great stay']})"
        ),
        new_code_cell("plt.plot([1, 2], [3, 4]);"),
    ]
    path = tmp_path / "10_cx_report.ipynb"
    nbformat.write(nb, str(path))
    run = runner.build_report("hotel", "zh", tmp_path / "report.html", notebook=path)
    assert run.ok, run.describe()
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "SECRET_CODE_MARKER" not in page  # code hidden
    assert 'class="cxwb-toc"' in page and "目录" in page and "客户原声" in page
    assert "Sound: what customers say" not in page
    assert 'src="http' not in page and "data:image/png;base64" in page


def test_interact_output_reaches_the_static_report(tmp_path):
    make(
        tmp_path,
        "01_widget.ipynb",
        "import ipywidgets as widgets\n"
        "def show(level=3):\n"
        "    print('WIDGET_OUTPUT', level * 14)\n"
        "widgets.interact(show, level=(1, 5));",
    )
    out = tmp_path / "r"
    assert cli.main(["run", "--notebooks", str(tmp_path), "--out", str(out)]) == 0
    page = (out / "01_widget.hotel.en.html").read_text(encoding="utf-8")
    assert "WIDGET_OUTPUT 42" in page
