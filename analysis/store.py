"""Results computed once per (data, options, engine) and kept on disk.

The key of a stored result is the survey file's SHA-256, the options'
:meth:`~analysis.options.Options.key` and a hash of the engine's own source
(and the lock of the environment, requirements.lock), so a stored result is used only while all
three are unchanged. Every reader of results in the book goes through
:func:`results_for`: chapters executed by the build, a chapter a reviewer
re-runs with papermill, the robustness panel and the multiverse. Files are
written atomically (temporary file, then rename), so concurrent readers never
see half a result.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path

from . import paths
from .engine import Memo, Results, file_sha256, run_analysis
from .loading import load_survey
from .options import Options

STORE = paths.ROOT / "_build" / "results-store"


def engine_inputs() -> list[Path]:
    """The engine's modules, the lock of the environment and the files the engine reads besides the survey
    (the codebook, the NHS reference counts)."""
    return sorted((paths.ROOT / "analysis").glob("*.py")) + [
        paths.ROOT / "requirements.lock",
        paths.DATA / "codebook.yaml",
        paths.NHS_REFERENCE,
    ]


def hash_files(files: list[Path]) -> str:
    """SHA-256 over the names and bytes of ``files`` (missing files are skipped)."""
    digest = hashlib.sha256()
    for path in files:
        if path.exists():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def engine_hash() -> str:
    """SHA-256 over :func:`engine_inputs`: part of every store key."""
    return hash_files(engine_inputs())


def store_path(data_sha: str, options: Options, store: Path = STORE) -> Path:
    """Where the result of ``options`` on the data with SHA-256 ``data_sha`` is kept."""
    return Path(store) / data_sha[:16] / f"{options.key()}-{engine_hash()[:12]}.pkl"


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; results are meant to be read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Session:
    """Results for one survey file: loads and validates it at most once and shares a :class:`Memo`
    between option sets, so parts common to several option sets are computed once."""

    def __init__(self, data=None, store: Path | None = STORE):
        self.path = paths.survey_file(data)
        self.sha = file_sha256(self.path)
        self.store = store
        self._memo: Memo | None = None

    @property
    def memo(self) -> Memo:
        if self._memo is None:
            self._memo = Memo(load_survey(self.path))  # raises ContractError on a bad file
        return self._memo

    def results(self, options: Options = Options()) -> Results:
        """The results of ``options``: from the store if there, else computed now (and stored)."""
        target = store_path(self.sha, options, self.store) if self.store else None
        if target is not None and target.exists():
            return pickle.loads(target.read_bytes())
        results = run_analysis(self.memo.survey, options, self.memo)
        if target is not None:
            _write_atomic(target, pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
        return results

    @property
    def computed(self) -> dict[str, int]:
        """How many times each part was computed in this session (growth fits, t-test tables...)."""
        return dict(self._memo.computed) if self._memo else {}


def results_for(data=None, options: Options = Options(), store: Path | None = STORE) -> Results:
    """The results of ``options`` on ``data`` (a path; None = $IPOF_DATA or the twin), stored."""
    return Session(data, store).results(options)


def json_text(obj) -> str:
    """The project's one JSON format: sorted keys, one-space indent, no NaN (a NaN is an error: convert it
    to None first, as :func:`analysis.reproduce.jsonable` does), a final newline."""
    return json.dumps(obj, indent=1, sort_keys=True, allow_nan=False, default=str) + "\n"


def write_json(path: Path, obj) -> bool:
    """Write ``obj`` as :func:`json_text`, atomically, only if the text differs; True when written."""
    text = json_text(obj)
    path = Path(path)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    _write_atomic(path, text.encode("utf-8"))
    return True
