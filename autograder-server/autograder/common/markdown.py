"""Markdown that staff write (project instructions, test descriptions, hints) as safe HTML.

Staff may mix in raw HTML (`<details>`, tables); whatever markdown-it renders goes through
nh3 (the Ammonia sanitizer), which keeps formatting tags and drops scripts, event handlers,
styles and `javascript:` links, so a course admin can't run script in a student's session.
"""

import nh3
from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(
    ["table", "strikethrough"]
)


def markdown_html(text: str) -> str:
    """`text` (CommonMark with tables) as sanitized HTML; empty text gives ""."""
    if not text.strip():
        return ""
    return nh3.clean(_PARSER.render(text), link_rel="noopener noreferrer nofollow")
