"""Persistent cache of the workspace index: one marshal file under ``.importwarden_cache/``.

Per file: ((size, mtime_ns, blake2b digest), record) where the record is the compact tuple the
index keeps (module, is_package, raw refs, bindings). A file whose size and mtime are unchanged
is not read; one whose content hash is unchanged is not scanned. The file name carries the
importwarden version and a format number, so an upgrade never reads an old layout; a corrupt
or unreadable cache is ignored (rebuilt), never an error.
"""

from __future__ import annotations

import gc
import marshal
import os
import tempfile
from pathlib import Path

from importwarden import __version__

FORMAT = 3


def cache_file(directory: Path) -> Path:
    return Path(directory) / f"index-{__version__}-f{FORMAT}.marshal"


def load(directory: Path) -> dict[str, tuple]:
    enabled = gc.isenabled()
    gc.disable()  # marshal builds ~10^5 tuples; generational passes would be pure overhead
    try:
        data = cache_file(directory).read_bytes()
        value = marshal.loads(data)
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    finally:
        if enabled:
            gc.enable()
    if not isinstance(value, dict) or value.get("__version__") != (__version__, FORMAT):
        return {}
    files = value.get("files")
    return files if isinstance(files, dict) else {}


def save(directory: Path, files: dict[str, tuple]) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    gitignore = directory / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("# created by importwarden\n*\n", encoding="utf-8")
    data = marshal.dumps({"__version__": (__version__, FORMAT), "files": files})
    fd, tmp = tempfile.mkstemp(prefix=".index.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, cache_file(directory))
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
