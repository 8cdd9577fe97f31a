"""Read published datasets back with the real clients, in a fresh process.

``huggingface_hub`` reads ``HF_ENDPOINT`` when it is imported, so tests run this script
with the endpoint of the olah server in its environment. Usage::

    python read_back.py '[{"kind": "load_dataset", "repo": "alice/x", "config": "all"}, ...]'

Prints one JSON list with a result per request: rows (a list) for a split, a mapping of
split -> rows for a whole config, path -> sha256 for a snapshot.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any


def _rows(ds: Any) -> Any:
    if hasattr(ds, "keys"):  # DatasetDict
        return {split: ds[split].to_list() for split in ds}
    return ds.to_list()


def run(request: dict[str, Any]) -> Any:
    kind = request["kind"]
    if kind == "load_dataset":
        import datasets

        return _rows(datasets.load_dataset(request["repo"], request.get("config"), split=request.get("split"),
                                           revision=request.get("revision")))
    if kind == "snapshot":
        from huggingface_hub import snapshot_download

        folder = Path(snapshot_download(request["repo"], repo_type="dataset", revision=request.get("revision")))
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}
    if kind == "builder":
        import dolly_ja_16k

        return _rows(dolly_ja_16k.load(request["config"], request["repo"], split=request.get("split")))
    raise ValueError(f"unknown request kind {kind!r}")


def main() -> None:
    import datasets

    datasets.disable_progress_bars()
    print(json.dumps([run(r) for r in json.loads(sys.argv[1])], ensure_ascii=False))


if __name__ == "__main__":
    main()
