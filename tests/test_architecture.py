"""House rules that keep the codebase's shape: import direction and one owner per heavy SDK."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("extractors", "assistant", "ui", "eval")

# package → top-level packages it must not import
FORBIDDEN = {
    "extractors": {"assistant", "ui", "eval"},
    "assistant": {"ui", "eval"},
    "ui": {"eval"},
}

# heavy SDK → the only places allowed to import it (path prefixes relative to the repo)
OWNERS = {
    "pdfplumber": ("extractors/",),
    "pypdfium2": ("extractors/",),
    "chromadb": ("assistant/retrieval/vectorstore.py",),
    "openai": ("assistant/llm",),
    "langchain": ("assistant/llm",),
    "langchain_core": ("assistant/llm",),
    "langchain_openai": ("assistant/llm",),
    "gradio": ("ui/",),
    "rapidocr_onnxruntime": ("extractors/ocr.py",),
    "onnxruntime": ("extractors/ocr.py",),
    "cv2": ("extractors/ocr.py", "extractors/ocr_layout.py"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _sources():
    for pkg in PACKAGES:
        for path in sorted((REPO / pkg).rglob("*.py")):
            yield pkg, path


@pytest.mark.parametrize("pkg,path", list(_sources()), ids=lambda v: str(v).replace(str(REPO) + "/", ""))
def test_import_rules(pkg: str, path: Path) -> None:
    rel = path.relative_to(REPO).as_posix()
    imported = _imports(path)
    bad = imported & FORBIDDEN.get(pkg, set())
    assert not bad, f"{rel} imports {sorted(bad)}: imports flow ui → assistant → extractors"
    if pkg == "eval":  # benchmarks may import anything (e.g. pdfplumber as the speed baseline)
        return
    for sdk, owners in OWNERS.items():
        if sdk in imported and not rel.startswith(owners):
            pytest.fail(f"{rel} imports {sdk}; only {owners} may (one owner per heavy SDK)")


def test_rules_see_real_code() -> None:
    """The scan must actually find the packages, or the rules above check nothing."""
    found = {pkg for pkg, _ in _sources()}
    assert {"extractors", "assistant"} <= found


def test_importing_the_cli_loads_no_heavy_library():
    """Cold start (issue 14): `import assistant.cli` must not pull in the vector store, a model runtime or the UI."""
    import subprocess
    import sys

    code = ("import sys, assistant.cli; heavy = ('chromadb', 'torch', 'onnxruntime', 'gradio', 'pdfplumber', 'pypdfium2', "
            "'sqlalchemy', 'openai', 'langchain', 'jieba', 'bm25s', 'numpy', 'pydantic'); "
            "print(','.join(m for m in heavy if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
