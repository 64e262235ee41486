"""The floor: parse every YAML file of a tree with PyYAML's C loader, in one process.

Nothing else: no validation, no models, no cache.  Every cost the benchmark
reports is a ratio to this one, measured in the same run on the same machine.
"""
from __future__ import annotations

import os
import sys

import yaml


def parse_all(root: str) -> int:
    count = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.endswith(".yaml"):
                with open(os.path.join(dirpath, name), "rb") as fh:
                    yaml.load(fh.read(), Loader=yaml.CSafeLoader)
                count += 1
    return count


if __name__ == "__main__":
    print(parse_all(sys.argv[1]))
