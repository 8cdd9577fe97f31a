"""dolly-ja-16k: databricks-dolly-15k-ja as named parts, built, checked and published reproducibly.

This module imports nothing (not even ``typing``): the command line starts here, and
everything it does before ``cli`` takes over Ctrl-C should be as short as possible.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers read it the same way)
if TYPE_CHECKING:
    import datasets

    from dolly_ja_16k.loader import DollyJa16k

__version__ = "0.1.0"
__all__ = ["DollyJa16k", "__version__", "load"]


def load(config: str = "all", source: str = "dist/dolly-ja-16k", **kwargs: object
         ) -> datasets.Dataset | datasets.DatasetDict:
    """Load a config of a built folder or Hub repo with the package's own builder."""
    from dolly_ja_16k.loader import load as _load

    return _load(config, source, **kwargs)  # type: ignore[arg-type]  # keyword arguments go to the builder


def __getattr__(name: str) -> type[DollyJa16k]:
    # The builder needs `datasets` (slow to import): only import it when asked for.
    if name == "DollyJa16k":
        from dolly_ja_16k.loader import DollyJa16k

        return DollyJa16k
    raise AttributeError(name)
