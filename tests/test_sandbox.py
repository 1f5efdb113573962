"""shigen.sandbox: which files a study may name, resolved after symlinks, size-checked first."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from shigen.errors import InputError
from shigen.sandbox import OutsideSandbox, Sandbox, read_limited, shipped_folders
from shigen.study import load_study

ROOT = Path(__file__).resolve().parents[1]


def test_roots_are_the_study_folder_the_shipped_studies_and_data(tmp_path, monkeypatch):
    monkeypatch.setenv("SHIGEN_DATA", str(tmp_path / "data"))
    box = Sandbox.for_study(tmp_path / "study")
    assert box.roots[0] == (tmp_path / "study").resolve()
    assert (tmp_path / "data").resolve() in box.roots
    assert all(f.resolve() in box.roots for f in shipped_folders())
    assert (ROOT / "studies").resolve() in box.roots


def test_paths_are_judged_after_symlinks(tmp_path):
    inside, outside = tmp_path / "in", tmp_path / "out"
    inside.mkdir()
    outside.mkdir()
    (outside / "secret.toml").write_text("[study]\n")
    (inside / "link.toml").symlink_to(outside / "secret.toml")
    (inside / "dirlink").symlink_to(outside)
    box = Sandbox((inside,))
    for name in ("link.toml", "dirlink/secret.toml", "../out/secret.toml", str(outside)):
        assert not box.allows(inside / name), name
        with pytest.raises(OutsideSandbox) as exc:
            box.read_bytes(inside / name, "baseline study")
        assert "outside the folders a study may read" in exc.value.what
        assert str(inside.resolve()) in exc.value.what  # the CLI names the allowed folders
    (inside / "ok.toml").write_text("x = 1\n")
    assert box.read_bytes(inside / "ok.toml") == b"x = 1\n"
    assert not box.allows("/etc/passwd") and not box.allows("a\x00b")


def test_refusal_is_the_same_whether_or_not_the_file_exists(tmp_path):
    box = Sandbox((tmp_path,))
    messages = []
    for target in ("/etc/passwd", "/etc/no-such-file-here"):
        with pytest.raises(OutsideSandbox) as exc:
            box.read_bytes(target, "baseline study")
        messages.append(exc.value.what.replace(target, "X"))
    assert messages[0] == messages[1]


def test_size_is_checked_before_reading(tmp_path):
    big = tmp_path / "big.toml"
    with big.open("wb") as fh:
        fh.truncate(5_000_000_000)  # sparse: reading it whole would take 5 GB
    with pytest.raises(InputError, match="5,000,000,000 bytes, over the 1,000-byte limit"):
        read_limited(big, "study file", max_bytes=1_000)
    with pytest.raises(InputError, match="is not a regular file"):
        read_limited(tmp_path, "study file")
    with pytest.raises(InputError, match="does not exist"):
        read_limited(tmp_path / "nope.toml", "study file")


def test_the_limit_is_configurable(tmp_path, monkeypatch):
    study = tmp_path / "s.toml"
    study.write_text('[study]\nname = "s"\ntitle = "S"\n\n[supply]\ncommodities = ["coal"]\n'
                     'years = [2023]\n')
    load_study(study)
    monkeypatch.setenv("SHIGEN_MAX_STUDY_BYTES", "10")
    with pytest.raises(InputError, match="over the 10-byte limit"):
        load_study(study)
    monkeypatch.setenv("SHIGEN_MAX_STUDY_BYTES", "ten")
    with pytest.raises(InputError, match="SHIGEN_MAX_STUDY_BYTES='ten'"):
        load_study(study)


def test_a_baseline_symlinked_out_of_the_study_folder_is_refused(tmp_path):
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "base.toml").write_text(
        (ROOT / "studies" / "etp2008-baseline.toml").read_text())
    work = tmp_path / "work"
    work.mkdir()
    (work / "base.toml").symlink_to(tmp_path / "secret" / "base.toml")
    (work / "s.toml").write_text('[study]\nname = "s"\ntitle = "S"\n\n[energy]\n'
                                 'regions = ["WORLD"]\nbaseline = "base.toml"\n')
    with pytest.raises(InputError) as exc:
        load_study(work / "s.toml")
    assert "baseline study 'base.toml' is outside the folders a study may read" in str(
        exc.value)
    os.unlink(work / "base.toml")  # the same file, copied in: read
    (work / "base.toml").write_text((tmp_path / "secret" / "base.toml").read_text())
    assert load_study(work / "s.toml").energy.baseline == "base.toml"


def test_a_baseline_in_a_data_folder_given_with_dash_dash_data_is_read(tmp_path, monkeypatch):
    """`--data DIR` widens the sandbox as SHIGEN_DATA does; without it the file is refused."""
    from typer.testing import CliRunner

    from shigen.cli import app

    monkeypatch.delenv("SHIGEN_DATA", raising=False)
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path / "home"))
    data, work = tmp_path / "data", tmp_path / "work"
    shutil.copytree(ROOT / "tests" / "data" / "energy" / "links", data)  # a valid data folder
    work.mkdir()
    (data / "base.toml").write_text((ROOT / "studies" / "etp2008-baseline.toml").read_text())
    (work / "base.toml").symlink_to(data / "base.toml")
    (work / "s.toml").write_text('[study]\nname = "s"\ntitle = "S"\n\n[energy]\n'
                                 'regions = ["WORLD"]\nbaseline = "base.toml"\n')
    with pytest.raises(InputError, match="outside the folders a study may read"):
        load_study(work / "s.toml")
    assert load_study(work / "s.toml", data_dirs=[data]).energy.baseline == "base.toml"
    # the CLI passes its --data folders (global option) to the study loader
    refused = CliRunner().invoke(app, ["runs", "show", str(work / "s.toml")])
    assert refused.exit_code == 2
    assert "outside the folders a study may read" in refused.output
    read = CliRunner().invoke(app, ["--data", str(data), "runs", "show", str(work / "s.toml")])
    assert "outside the folders" not in read.output
    assert "has no stored run" in read.output  # got past the sandbox to the store
