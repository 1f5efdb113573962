"""Record or compare the ``--json`` output of every shipped study and reporting command.

A refactor must not change what users get. This script runs each command in a fresh run
store, drops only what legitimately varies between runs (timings, the store path), and
either writes the documents to a folder or compares them with a folder written before.

    python scripts/golden_outputs.py record /tmp/golden-before      # on the old commit
    python scripts/golden_outputs.py compare /tmp/golden-before     # on the new one
    python scripts/golden_outputs.py compare /tmp/golden-before --ignore run_id

``compare`` prints every command whose output differs (with the first differing keys)
and exits 1 if any does. Run it with the venv's python (``.venv/bin/python``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIGEN = [sys.executable, "-m", "shigen"]

# keys whose values vary run to run by design
VOLATILE = {"timings_s", "path", "elapsed_s", "wall_s", "seconds", "created", "created_at",
            "setup_s"}  # setup_s: the uncertainty re-solve's set-up time, a timing


def commands() -> dict[str, list[str]]:
    cmds = {f"run-{p.stem}": ["run", str(p.relative_to(ROOT)), "--json"]
            for p in sorted((ROOT / "studies").glob("*.toml"))}
    cmds.update({
        "risk-ree-2009-jpn": ["risk", "rare-earths", "--year", "2009", "--importer", "JPN",
                              "--json"],
        "risk-uranium-enrichment-2010": ["risk", "uranium", "--stage", "enrichment",
                                         "--year", "2010", "--json"],
        "risk-ree-years": ["risk", "rare-earths", "--years", "2005:2012", "--importer", "JPN",
                           "--json"],
        "interdependence-jpn-chn-2009": ["interdependence", "JPN", "CHN", "--year", "2009",
                                         "--json"],
        "data-list": ["data", "list", "--json"],
    })
    return cmds


def normalise(doc: object) -> object:
    if isinstance(doc, dict):
        return {k: normalise(v) for k, v in doc.items() if k not in VOLATILE}
    if isinstance(doc, list):
        return [normalise(v) for v in doc]
    return doc


def run_all() -> dict[str, object]:
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "SHIGEN_HOME": home}
        for name, args in commands().items():
            proc = subprocess.run([*SHIGEN, *args], cwd=ROOT, env=env, capture_output=True,
                                  text=True, timeout=900)
            try:
                doc: object = normalise(json.loads(proc.stdout))
            except json.JSONDecodeError:
                doc = {"stdout": proc.stdout[-2000:], "stderr": proc.stderr[-2000:]}
            out[name] = {"exit": proc.returncode, "json": doc}
            print(f"{name}: exit {proc.returncode}", file=sys.stderr)
    return out


def first_diffs(a: object, b: object, path: str = "", limit: int = 5) -> list[str]:
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} != {type(b).__name__}"]
    if isinstance(a, dict) and isinstance(b, dict):
        diffs = [f"{path}.{k}: only in {'before' if k in a else 'after'}"
                 for k in sorted(set(a) ^ set(b))]
        for k in a.keys() & b.keys():
            diffs += first_diffs(a[k], b[k], f"{path}.{k}", limit)
        return diffs[:limit]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: length {len(a)} != {len(b)}"]
        diffs = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            diffs += first_diffs(x, y, f"{path}[{i}]", limit)
        return diffs[:limit]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"[:300]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["record", "compare"])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--ignore", action="append", default=[], metavar="KEY",
                    help="also drop this key when comparing (e.g. run_id after a data change; "
                         "run ids hash every bundled dataset)")
    ns = ap.parse_args()
    VOLATILE.update(ns.ignore)
    docs = run_all()
    if ns.mode == "record":
        ns.folder.mkdir(parents=True, exist_ok=True)
        for name, doc in docs.items():
            (ns.folder / f"{name}.json").write_text(json.dumps(doc, indent=1, sort_keys=True))
        print(f"recorded {len(docs)} outputs in {ns.folder}")
        return 0
    bad = 0
    for name, doc in docs.items():
        ref_file = ns.folder / f"{name}.json"
        if not ref_file.exists():
            print(f"NEW   {name} (no recorded output)")
            continue
        ref = normalise(json.loads(ref_file.read_text()))
        now = json.loads(json.dumps(doc, sort_keys=True))
        if ref == now:
            print(f"same  {name}")
        else:
            bad += 1
            print(f"DIFF  {name}")
            for line in first_diffs(ref, now):
                print(f"      {line}")
    print(f"{len(docs) - bad} of {len(docs)} identical")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
