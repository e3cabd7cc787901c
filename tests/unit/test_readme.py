"""The README's two commands are the project's promise to a newcomer; CI must run exactly the test one.
The README stays a short guide, and its links into docs/ (and theirs back) lead somewhere."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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


def _anchors(path):
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
            for heading in re.findall(r"^#+ (.*)$", text, flags=re.M)}


def test_the_readme_is_a_guide_of_at_most_15_kb():
    # The rest (inventories, dated runs) lives in docs/; a README that grows past this logs again.
    assert (ROOT / "README.md").stat().st_size <= 15_000


def test_every_link_between_the_readme_and_docs_resolves():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            destination = (page.parent / path).resolve() if path else page
            if not destination.exists() or (anchor and anchor not in _anchors(destination)):
                broken.append(f"{page.name}: {target}")
    assert not broken
