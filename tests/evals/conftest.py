"""Put the repository root first on sys.path.

This folder is called ``evals`` like the top-level package; without this, pytest's rootdir
insertion makes ``import evals`` resolve to this test folder as a namespace package.
"""

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if sys.path[0] != _ROOT:
    sys.path.insert(0, _ROOT)
