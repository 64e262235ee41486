"""How entries are obtained for a load: the seam where the parse cache sits.

``read_entries`` must return, for every path, exactly what ``reader`` would
return for the file as it is now.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable


def read_entries(root: Path, relpaths: list[str], reader: Callable) -> dict:
    return {p: reader(root, p) for p in relpaths}
