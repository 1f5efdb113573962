"""Property: any edit of the flagship study either runs or gives exit 2 with located
messages, one line per problem and never a traceback or an internal error."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = (ROOT / "studies" / "japan-2009.toml").read_text("utf-8")
TOKENS = ['"', "[", "]", "=", ",", "\n", "-1", "1e400", "{}", "[[supply]]", "true", "'x'",
          "\\", "#", "2009", "\x00", "é", "[study.x]", "nan", "0x10", "XXX", "years = [1]"]

edits = st.lists(st.tuples(st.integers(0, len(FLAGSHIP)), st.sampled_from(["insert", "delete"]),
                           st.sampled_from(TOKENS), st.integers(1, 12)), min_size=1, max_size=3)


def apply(text: str, ops: list[tuple[int, str, str, int]]) -> str:
    for pos, op, token, n in ops:
        pos = min(pos, len(text))
        text = text[:pos] + token + text[pos:] if op == "insert" else text[:pos] + text[pos + n:]
    return text


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits)
def test_edited_study_runs_or_fails_cleanly(cli, tmp_path: Path,
                                            ops: list[tuple[int, str, str, int]]) -> None:
    study = tmp_path / "edited.toml"
    study.write_text(apply(FLAGSHIP, ops), "utf-8")
    res = cli("run", study)
    assert res.exception is None and "Traceback" not in res.stderr
    assert res.exit_code in (0, 2), res.stderr
    if res.exit_code == 2:
        lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
        assert lines and all(ln.startswith("error: ") for ln in lines), res.stderr
        assert all("edited.toml" in ln for ln in lines), res.stderr
