"""Top-down sales playbook: when and how a product-led company adds enterprise sales."""

from pathlib import Path

__version__ = "0.1.0"

# Paths resolve from the package, never from the working directory.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = PROJECT_ROOT / "data" / "samples"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
DEFAULT_SAMPLE = "ready"
