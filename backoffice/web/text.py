"""Text a user or a file typed, made safe to hand to Streamlit's Markdown: shown literally, never interpreted.

Streamlit renders Markdown in st.markdown/st.write/st.caption, alerts, headings, metric labels *and values*, and
every widget label (images included), so a customer named ``![t](http://host/p.png)`` would make each viewer's
browser fetch that address. ``plain()`` turns any text into Markdown that displays exactly that text. Our own
translation strings stay Markdown where they mean to; only the user's part goes through ``plain()``.
Dataframes, st.text, st.code and selectbox/multiselect options do not render Markdown and need nothing; plotly
labels read a few HTML tags instead, hence ``chart_text()``.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character: CommonMark lets each be backslash-escaped, which stops images, links, emphasis,
# code, headings, lists, tables, HTML, and Streamlit's :color[...] directives, :emoji: / :material/...: shortcodes
# and $math$.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# GFM's autolink literals (https://…, www.…, name@domain) are found in the text after the escapes are resolved, so
# an escape cannot stop them: an invisible WORD JOINER breaks the pattern without changing what the reader sees —
# before a URL (a link must follow a space or punctuation) and after an @ (the domain must follow it at once).
_AUTOLINK = re.compile(r"(?i)(?=https?://|www\.)|(?<=@)")
WORD_JOINER = "\u2060"
_LEADING_SPACE = {
    " ": "&#32;",
    "\t": "&#9;",
}  # indentation kept as characters, so it never opens a code block


def plain(text: object) -> str:
    """Markdown that shows ``text`` literally: every line kept, nothing turned into an image, link or format."""
    lines = str(text).splitlines() or [""]
    return "\\\n".join(_line(line) for line in lines)  # a backslash before a line end is a hard line break


def _line(line: str) -> str:
    body = line.lstrip(" \t")
    indent = "".join(_LEADING_SPACE[c] for c in line[: len(line) - len(body)])
    return indent + _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, body))


def chart_text(text: object) -> str:
    """A plotly label that shows ``text`` literally: plotly reads <br>, <b>, <a href=…> and entities in labels."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
