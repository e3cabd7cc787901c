"""The README's two commands are the project's promise to a newcomer; CI must run exactly the test one."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_starts_with_the_two_commands():
    run_app, run_tests = _readme_commands()[:2]
    assert run_app.startswith("pip install -r requirements.txt") and run_app.endswith("streamlit run app.py")
    assert "pytest" in run_tests


def test_ci_runs_exactly_the_readme_test_command():
    run_tests = _readme_commands()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert run_tests in ci_lines
