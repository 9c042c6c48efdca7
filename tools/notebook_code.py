"""Write the code cells of the committed notebooks as one Python file, for `vulture`.

The views are called from the notebooks only; vulture reads this file beside the package so that a
view a notebook calls is not reported as dead code (`make lint`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def notebook_code() -> str:
    parts = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        code = [c.source for c in cells if c.cell_type == "code"]
        parts.append(f"# --- {path.name}\n" + "\n\n".join(code))
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(notebook_code(), encoding="utf-8")
