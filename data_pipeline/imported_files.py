"""Agency files a user downloaded by hand: every regular file under a folder or zip, never outside it."""

from __future__ import annotations

import shutil
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from data_pipeline.sources import Say, SourceError

MAX_ZIP_BYTES = 20 * 1024**3


def safe_extract(archive: Path, into: Path) -> list[Path]:
    """Extract a zip, refusing entries that would land outside `into` (absolute paths, '..', links)."""
    out = []
    with zipfile.ZipFile(archive) as zf:
        total = sum(i.file_size for i in zf.infolist())
        if total > MAX_ZIP_BYTES:
            raise SourceError(f"{archive.name}: expands to {total / 1e9:.1f} GB, more than the 20 GB allowed")
        for info in zf.infolist():
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts or (name.parts and ":" in name.parts[0]):
                raise SourceError(f"{archive.name}: entry {info.filename[:80]!r} escapes its folder; nothing imported")
            if info.is_dir():
                continue
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise SourceError(f"{archive.name}: entry {info.filename[:80]!r} is a symbolic link; nothing imported")
            target = into.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise SourceError(f"{archive.name}: entry {info.filename[:80]!r} is damaged ({str(exc)[:80]}); "
                                  f"nothing imported") from None
            out.append(target)
    return out


def collect_files(path: Path, scratch: Path, say: Say) -> list[Path]:
    """Every regular file under the named folder or zip (zips inside are opened too), never outside it."""
    root = path.resolve()
    if root.is_file():
        candidates = [root]
        root_dir = root.parent
    else:
        candidates = sorted(p for p in root.rglob("*") if p.is_file())
        root_dir = root
    files: list[Path] = []
    for p in candidates:
        real = p.resolve()
        if real != root and root_dir not in real.parents:
            say(f"skipped {p.name}: it links outside {path}")
            continue
        if zipfile.is_zipfile(real) and real.suffix.lower() == ".zip":
            into = scratch / f"zip{len(files)}_{real.stem[:40]}"
            files.extend(safe_extract(real, into))
        else:
            files.append(real)
    return files
