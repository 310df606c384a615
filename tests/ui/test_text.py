"""backoffice.web.text: user text handed to Streamlit's Markdown shows literally (issue 14, finding 5).

No CommonMark renderer is installed, so the escapes are read back by the rules CommonMark gives them (a backslash
before ASCII punctuation is that character; a backslash before a line end is a line break; &#32; and &#9; are a
space and a tab); the real renderer is exercised by tests/e2e/test_markdown.py in chromium.
"""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backoffice.web.text import WORD_JOINER, chart_text, plain

_READ = re.compile(r"\\([!-/:-@\[-`{-~])|\\\n|&#32;|&#9;|" + WORD_JOINER)


def read_back(markdown: str) -> str:
    """What a CommonMark reader shows for the constructs plain() writes."""

    def one(m: re.Match[str]) -> str:
        token = m.group(0)
        return m.group(1) or {"\\\n": "\n", "&#32;": " ", "&#9;": "\t"}.get(token, "")

    return _READ.sub(one, markdown)


def unescaped_punctuation(markdown: str) -> list[str]:
    """ASCII punctuation left for the Markdown parser to act on (none may be)."""
    return [c for c in _READ.sub("", markdown) if c in string.punctuation]


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        (
            "![t](http://127.0.0.1:8000/p.png) T",
            "\\!\\[t\\]\\(\u2060http\\:\\/\\/127\\.0\\.0\\.1\\:8000\\/p\\.png\\) T",
        ),
        (":red[x] :smile: $x^2$", "\\:red\\[x\\] \\:smile\\: \\$x\\^2\\$"),
        (
            "<img src=x> **b** _i_ `c` ~~s~~ a|b",
            "\\<img src\\=x\\> \\*\\*b\\*\\* \\_i\\_ \\`c\\` \\~\\~s\\~\\~ a\\|b",
        ),
        ("# 1. - >", "\\# 1\\. \\- \\>"),
        ("noura@example.com", "noura\\@\u2060example\\.com"),
        ("see WWW.example.com", "see \u2060WWW\\.example\\.com"),
        ("نورة القحطاني", "نورة القحطاني"),
        ("a\\b", "a\\\\b"),
        ("    code?", "&#32;&#32;&#32;&#32;code\\?"),
        ("one\ntwo", "one\\\ntwo"),
        ("", ""),
    ],
)
def test_plain_escapes_every_markdown_construct(text: str, markdown: str) -> None:
    assert plain(text) == markdown
    assert read_back(markdown) == text


@given(st.text())
def test_plain_reads_back_as_the_same_text_and_leaves_nothing_to_interpret(text: str) -> None:
    markdown = plain(text)
    assert read_back(markdown) == "\n".join(text.splitlines())
    assert unescaped_punctuation(markdown) == []
    # GFM's autolinks need http(s):// or www. after a space or punctuation (a joiner is neither), or a domain right
    # after an @
    bare = markdown.replace("\\", "")
    assert not re.search(r"(?i)(?<![\w\u2060])(https?://|www\.)|@(?!\u2060)", bare)


def test_chart_text_shows_tags_and_entities_literally() -> None:
    assert chart_text("<b>A&B</b> <a href='x'>") == "&lt;b&gt;A&amp;B&lt;/b&gt; &lt;a href='x'&gt;"
    assert chart_text(42) == "42"
