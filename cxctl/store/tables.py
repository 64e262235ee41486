"""Writing exported tables: one SQLite file, or a folder of CSV files.

Both are built beside the destination under a temporary name and moved into
place only when complete, so a reader (or a cron job's next step) never sees
half an export.
"""
from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import stat
import tempfile
from pathlib import Path

from cxctl.export import Table


class ExportRefused(Exception):
    """The destination cannot be (re)placed safely."""


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _readable(path: Path, mode: int) -> None:
    """Temporary files are private; the export gets the usual permissions."""
    os.chmod(path, mode & ~_umask())


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_SQLITE_HEADER = b"SQLite format 3\0"


def _outside_records(path: Path, records_root: Path | None) -> None:
    """An export is a copy for other tools: written into the records tree it
    would replace or sit among the records themselves."""
    if records_root is None:
        return
    root, target = Path(records_root).resolve(), path.resolve()
    if target == root or root in target.parents:
        raise ExportRefused(f"{path} is inside the records root {records_root}; "
                            f"write the export somewhere else")


def _is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER
    except OSError:
        return False


def write_sqlite(path: Path, tables: list[Table], *, records_root: Path | None = None) -> None:
    """Write a new database file, or replace an earlier one; anything else
    already at ``path`` (a record, a device, a document) is left alone."""
    path = Path(path)
    _outside_records(path, records_root)
    if path.is_dir() and not path.is_symlink():
        raise ExportRefused(f"{path} is a folder; give the path of the database file to write")
    if os.path.lexists(path):
        if path.is_symlink() or not stat.S_ISREG(path.lstat().st_mode) or not _is_sqlite_file(path):
            raise ExportRefused(f"{path} exists and is not an SQLite database (an earlier export); "
                                f"give a new path or an earlier export to replace")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        db = sqlite3.connect(tmp)
        try:
            with db:
                for table in tables:
                    _sqlite_table(db, table)
        finally:
            db.close()
        _readable(tmp, 0o666)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _sqlite_table(db: sqlite3.Connection, table: Table) -> None:
    name = _quote(table.name)
    cols = ", ".join(f"{_quote(c)} {t}" for c, t in table.columns)
    db.execute(f"CREATE TABLE {name} ({cols})")
    marks = ", ".join("?" for _ in table.columns)
    db.executemany(f"INSERT INTO {name} VALUES ({marks})", table.rows)
    # Keys are indexed but not enforced: the export mirrors the records as
    # they are, duplicates included (validate reports those).
    for cols in [table.key, *table.indexes] if table.key else table.indexes:
        index = _quote(f"{table.name}_{'_'.join(cols)}")
        db.execute(f"CREATE INDEX {index} ON {name} ({', '.join(_quote(c) for c in cols)})")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_csv(folder: Path, tables: list[Table], *, records_root: Path | None = None) -> None:
    """One ``<table>.csv`` per table (UTF-8 with a byte-order mark, so that
    spreadsheet programs read Chinese text correctly), in a new folder or one
    holding only an earlier export's CSV files."""
    folder = Path(folder)
    _outside_records(folder, records_root)
    if os.path.lexists(folder) and (folder.is_symlink() or not folder.is_dir()):
        raise ExportRefused(f"{folder} exists and is not a folder; give a folder for the CSV files")
    if folder.is_dir() and any(not p.name.endswith(".csv") or not p.is_file() or p.is_symlink()
                               for p in folder.iterdir()):
        raise ExportRefused(f"{folder} holds files other than an earlier export's CSV files; "
                            f"give an empty or new folder")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    old = folder.with_name(f".{folder.name}.{os.getpid()}.old")
    try:
        for table in tables:
            with open(tmp / f"{table.name}.csv", "w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(table.column_names)
                writer.writerows([_csv_cell(v) for v in row] for row in table.rows)
            _readable(tmp / f"{table.name}.csv", 0o666)
        _readable(tmp, 0o777)
        if not folder.exists():
            os.replace(tmp, folder)
            return
        os.replace(folder, old)
        try:
            os.replace(tmp, folder)
        except OSError:
            os.replace(old, folder)
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
