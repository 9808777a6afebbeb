from autograder.common.markdown import markdown_html


def test_formatting_tables_and_code_survive() -> None:
    html = markdown_html("# Part 1\n\n**Bold** and `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<h1>Part 1</h1>" in html
    assert "<strong>Bold</strong>" in html and "<code>code</code>" in html
    assert "<table>" in html and "<td>2</td>" in html


def test_script_event_handlers_and_javascript_links_are_removed() -> None:
    text = (
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        '<a href="javascript:alert(3)">click</a> <span style="color:red">styled</span>'
    )
    html = markdown_html(text)
    assert "<script" not in html and "alert(1)" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "style=" not in html


def test_links_open_without_referrer_or_opener() -> None:
    html = markdown_html("[spec](https://example.edu/spec)")
    assert 'href="https://example.edu/spec"' in html
    assert "noopener" in html and "noreferrer" in html


def test_blank_text_is_empty_html() -> None:
    assert markdown_html("") == ""
    assert markdown_html("  \n ") == ""
