"""Build hook: the wheel carries the workbook itself as package data.

The lessons (``notebooks/``), the exercises (``exercises/``) and the sample data
(``datasets/``) live at the top of the source tree, where trainers and students
find them. A normal (non-editable) install copies them into the packages that read
them: the sample data into ``cxlib/_workbook/datasets`` (the library needs them
without Jupyter), the lessons and exercises into ``cxwb/_workbook/``.
``cxlib.datasets.sample_dir`` and ``cxwb.apps.workbook_path`` find either place, and
``cxwb init DIR`` copies them to a folder the trainer owns. Everything else is in
pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
WORKBOOK = {
    "datasets": "cxlib/_workbook/datasets",
    "notebooks": "cxwb/_workbook/notebooks",
    "exercises": "cxwb/_workbook/exercises",
}
SKIP = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "_executed", "*.pyc")


class build_py_with_workbook(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the source tree
            return
        for source, target in WORKBOOK.items():
            if (ROOT / source).is_dir():
                dest = Path(self.build_lib) / target
                shutil.rmtree(dest, ignore_errors=True)
                shutil.copytree(ROOT / source, dest, ignore=SKIP)


setup(cmdclass={"build_py": build_py_with_workbook})
