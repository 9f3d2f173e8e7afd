"""Prompt templates: files in prompts/, rendered with variables, failing on a missing one."""

from __future__ import annotations

import pytest

from assistant.errors import ConfigError
from assistant.templates import PROMPTS_DIR, MissingVariables, Template, load_template, render, template_path

# Every template the LLM backend renders, with the variables it passes.
USED = {
    "chat_system": {"today": "2026-11-29", "nonce": "abcd1234"},
    "guard_feedback": {"numbers": "1.25"},
    "guard_fallback": {},
    "injection_note": {},
    "memo_rewrite": {"today": "2026-11-29", "nonce": "abcd1234"},
    "memo_rewrite_request": {},
}


@pytest.mark.parametrize("name", sorted(USED))
@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_used_template_exists_in_both_languages_and_renders(name, language):
    path = template_path(name, language=language)
    assert path.name.startswith(f"{name}.{language}.")
    text = render(name, language=language, **USED[name])
    assert "$" not in text.replace("$$", "")  # nothing left unfilled
    for value in USED[name].values():
        assert value in text


def test_system_prompts_say_tool_results_are_data_with_the_nonce():
    for language in ("zh", "en"):
        text = render("chat_system", language=language, today="2026-11-29", nonce="n0nce")
        assert "<<<DATA n0nce" in text and "<<<END DATA n0nce>>>" in text


def test_missing_variable_raises_a_config_error_naming_all_of_them():
    with pytest.raises(MissingVariables) as info:
        render("chat_system", language="en", today="2026-11-29")
    assert info.value.missing == ["nonce"]
    assert isinstance(info.value, ConfigError)
    with pytest.raises(MissingVariables) as info:
        Template("t", "$a and ${b} and $a").render()
    assert info.value.missing == ["a", "b"]
    assert "a, b" in str(info.value)


def test_dollar_escape_and_language_fallback(tmp_path):
    (tmp_path / "greet.md").write_text("Hello $name, that is $$5.", encoding="utf-8")
    assert render("greet", language="fr", directory=tmp_path, name="Li") == "Hello Li, that is $5."
    (tmp_path / "greet.zh.md").write_text("你好，$name。", encoding="utf-8")
    assert render("greet", language="zh", directory=tmp_path, name="李") == "你好，李。"
    assert load_template("greet", directory=tmp_path).variables == ["name"]


def test_unknown_template_and_stray_dollar_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="No prompt template 'nope'"):
        load_template("nope", directory=tmp_path)
    with pytest.raises(ConfigError, match="malformed"):
        Template("t", "costs $ 5").render()


def test_prompts_dir_is_the_repository_folder():
    assert PROMPTS_DIR.name == "prompts" and (PROMPTS_DIR / "chat_system.zh.md").is_file()
