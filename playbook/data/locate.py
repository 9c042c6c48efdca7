"""Where a run's data come from: a folder of exports, a source.yaml (an engine), or a sample by name."""

from __future__ import annotations

from pathlib import Path

from playbook import DEFAULT_SAMPLE, SAMPLES_DIR


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    """None -> the default sample company; an existing folder or source.yaml -> itself; a sample's
    name -> its folder.

    A real folder wins over a sample of the same name, so `--data ready` never hides ./ready.
    """
    if data_dir is None or str(data_dir) == "":
        return SAMPLES_DIR / DEFAULT_SAMPLE
    path = Path(data_dir).expanduser()
    if not path.exists() and (SAMPLES_DIR / str(data_dir)).is_dir():
        return SAMPLES_DIR / str(data_dir)
    return path
