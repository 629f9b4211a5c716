"""Plain text from a post's HTML reads as the post does: words parted where blocks part them
(paragraphs, list items, line breaks, headings, quotes, code blocks, table cells) and nowhere
else, so formatting inside a line adds no spaces."""
from __future__ import annotations

import pytest

from forum.common import markup


@pytest.mark.parametrize("source, text", [
    ("*this week only*, use code `SAVE10`.", "this week only, use code SAVE10."),
    ("**un**believ*able*", "unbelievable"),
    ("A [**bold _link_**](https://example.com) here.", "A bold link here."),
    ("~~old~~new price", "oldnew price"),
    ("One.\n\nTwo.", "One. Two."),
    ("line one  \nline two", "line one line two"),
    ("# Title\nText", "Title Text"),
    ("- *first*\n- second\n  1. nested", "first second nested"),
    ("> quoted **word**\n\nreply", "quoted word reply"),
    ("```python\nx = 1\nprint(x)\n```\nafter", "x = 1 print(x) after"),
    ("| a | b |\n|---|---|\n| *c* | d |", "a b c d"),
    ("before\n\n---\n\nafter", "before after"),
    ("Tom &amp; Jerry &lt;3 &copy;", "Tom & Jerry <3 ©"),
    ("`<script>` & <b>raw</b>", "<script> & <b>raw</b>"),
    ("", ""),
])
def test_plain_text_from_rendered_markdown(source, text):
    assert markup.plain_text(markup.render(source)) == text


def test_plain_text_of_html_as_stored():
    html = ("<p>Hi <em>there</em>,<br>see<br/>this:</p><ul><li><p>a</p></li><li>b</li></ul>"
            "<pre><code class=\"language-sh\">echo &quot;hi&quot;\nls</code></pre>"
            "<p>x&nbsp;y &#8212; z&#x2019;s</p>")
    assert markup.plain_text(html) == "Hi there, see this: a b echo \"hi\" ls x y — z’s"


def test_plain_text_survives_broken_html():
    assert markup.plain_text("<p>open <strong>never closed") == "open never closed"
    assert markup.plain_text("a < b and c > d") == "a < b and c > d"
    assert markup.plain_text(None) == ""


def test_excerpt_cuts_at_a_word_without_stray_spaces():
    html = markup.render("Sale: *this week only*, use code `SAVE10` at checkout for a discount.")
    assert markup.excerpt(html, 40) == "Sale: this week only, use code SAVE10…"
    assert markup.excerpt(html) == ("Sale: this week only, use code SAVE10 at checkout for a "
                                    "discount.")
