"""No user input may reach eval, pickle, unescaped HTML or a file path: checked in the source
itself, so a later change cannot quietly add such a path."""

import ast
import tomllib
from pathlib import Path

import pytest

import nnreg

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "app.py", ROOT / "frame.py", *sorted((ROOT / "app_pages").glob("*.py")),
           *sorted((ROOT / "nnreg").rglob("*.py")), *sorted((ROOT / "tools").glob("*.py"))]


def _calls(path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            yield node, ast.unparse(node.func)


def test_no_eval_exec_or_pickle_anywhere():
    found = [f"{path.name}:{node.lineno} {name}" for path in SOURCES for node, name in _calls(path)
             if name in ("eval", "exec", "compile", "__import__") or name.startswith(("pickle.", "marshal."))
             or name.endswith((".read_pickle", "shelve.open"))]
    assert found == []


def test_numpy_files_are_never_unpickled():
    loads = [(path, node) for path in SOURCES for node, name in _calls(path) if name in ("np.load", "numpy.load")]
    assert loads, "the .npz loader should be found by this check"
    for path, node in loads:
        options = {k.arg: ast.unparse(k.value) for k in node.keywords}
        assert options.get("allow_pickle") == "False", f"{path.name}:{node.lineno}"


def test_no_html_is_rendered_unescaped():
    found = [f"{path.name}:{node.lineno}" for path in SOURCES for node, name in _calls(path)
             if name in ("st.html", "components.html")
             or any(k.arg == "unsafe_allow_html" and ast.unparse(k.value) != "False" for k in node.keywords)]
    assert found == []


def test_uploads_are_read_in_memory_under_a_size_cap():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert 1 <= config["server"]["maxUploadSize"] <= 10
    # An upload's name only names it: a path in it is reduced to its last part, never opened.
    with pytest.raises(nnreg.DatasetError, match=r"^passwd\.csv: "):
        nnreg.read_dataset(b"x1,x2,y\n", "../../../../etc/passwd.csv")
    app = (ROOT / "app.py").read_text() + (ROOT / "frame.py").read_text() + "".join(p.read_text() for p in (ROOT / "app_pages").glob("*.py"))
    assert "open(" not in app and "Path(" not in app


def test_requirements_pin_every_dependency_to_a_range():
    for name in ("requirements.txt", "tests/requirements.txt"):
        for line in (ROOT / name).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                assert ">=" in line and "<" in line, f"{name}: {line}"
