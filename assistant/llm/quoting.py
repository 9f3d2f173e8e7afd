"""Retrieved text goes to the model as quoted data, never as instructions.

``data_block`` wraps a tool result between lines carrying a per-conversation nonce, so a
document cannot close the block and speak as the system; ``find_injections`` spots text that
is phrased as instructions to the model ("ignore previous instructions", "忽略之前的指令"),
and ``echoes`` tells whether an answer sentence carries out such a directive.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

_OPEN, _CLOSE = "<<<", ">>>"

_TRIGGERS = [
    re.compile(r"\b(?:ignore|disregard|forget|override|bypass)\b[^.\n。]{0,40}?\b(?:previous|prior|above|earlier|preceding|all|any|your|system)\b"
               r"[^.\n。]{0,25}?\b(?:instructions?|prompts?|rules|directions|guidelines)\b", re.I),
    re.compile(r"\byou are now\b|\bnew instructions?\s*:|\bsystem prompt\b|\bdeveloper mode\b", re.I),
    re.compile(r"\b(?:assistant|AI|model|chatbot)s?\b[^.\n]{0,30}\b(?:must|should)\s+(?:report|say|state|answer|tell)\b", re.I),
    re.compile(r"(?:忽略|无视|忘记|忽视|不要理会)[^。\n]{0,12}?(?:指令|指示|说明|提示|要求|规则|设定)"),
    re.compile(r"你现在是|新的?指令[:：]|系统提示词?"),
    re.compile(r"(?:请|必须)?(?:将|把)[^。\n]{0,30}?(?:报告|表述|说成|标记|回答)为"),
]
_NEGATIONS = re.compile(r"\b(?:not|no|never|fail(?:ed|s)?|breach(?:ed|es)?|below|violat\w*)\b|未|不|没有|违反|违约|低于|突破", re.I)
_STOP = frozenset(
    "report reports state say tell mark answer write respond the a an as to and that user users them they is are be been "
    "please instead of in on for with it this all previous prior above instructions instruction ignore disregard "
    "your you from now".split()
)
_STOP_ZH = frozenset({"忽略", "之前", "前的", "的指", "指令", "指示", "以上", "请将", "将所", "请把", "把所", "报告", "告为",
                      "说成", "标记", "回答", "要求", "无视", "规则"})


@dataclass(frozen=True)
class Injection:
    excerpt: str  # the sentence that carries it (shortened)
    directive: str  # what it asks for, from the trigger to the end of the sentence


def new_nonce() -> str:
    return secrets.token_hex(4)


def data_block(content: str, *, nonce: str, label: str) -> str:
    """``content`` between delimiter lines that the content itself cannot produce."""
    safe = content.replace(_OPEN, "‹‹‹").replace(_CLOSE, "›››")
    label = re.sub(r"[^\w .:=-]", "_", label)[:80]
    return f"{_OPEN}DATA {nonce} {label}{_CLOSE}\n{safe}\n{_OPEN}END DATA {nonce}{_CLOSE}"


def find_injections(text: str) -> list[Injection]:
    """Sentences of ``text`` phrased as instructions to an assistant."""
    found: list[Injection] = []
    for pattern in _TRIGGERS:
        for m in pattern.finditer(text):
            start = max(text.rfind(c, 0, m.start()) for c in ".。!！?？\n") + 1
            ends = [i for i in (text.find(c, m.end()) for c in ".。!！?？\n") if i != -1]
            end = min(ends) if ends else len(text)
            sentence = text[start:end + 1].strip()
            directive = text[m.start():end].strip()
            if not any(i.excerpt == sentence[:160] for i in found):
                found.append(Injection(sentence[:160], directive))
    return found


def _words(text: str) -> set[str]:
    out = {w[:5] for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOP and len(w) > 1}
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        out |= {run[i:i + 2] for i in range(len(run) - 1)} - _STOP_ZH
    return out


def echoes(sentence: str, injection: Injection) -> bool:
    """Does ``sentence`` assert what the injected directive asked for?"""
    wanted = _words(injection.directive)
    if len(wanted) < 2:
        return False
    if _NEGATIONS.search(sentence) and not _NEGATIONS.search(injection.directive):
        return False
    have = _words(sentence) & wanted
    return len(have) >= 2 and len(have) / len(wanted) >= 0.4
