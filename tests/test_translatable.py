"""Every visible word in a template is marked for translation (issue 12).

Django's own template Lexer splits each template into text, variable, block and
comment tokens. Text inside {% blocktranslate %}…{% endblocktranslate %} is
marked; {% translate %} and {{ … }} are whole tokens and so never text. What is
left is run through an HTML parser, which drops tags, decodes entities and says
which element the text sits in; text (and the few attributes people read, such as
aria-label) that still holds a letter is an unmarked string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


# Words that read the same in every language, so a translator has nothing to do:
# names of standards and protocols and DNS record types, shown as table headings
# or labels on their own. Keep it short: a sentence around them still needs marking.
UNTRANSLATED_TERMS = (
    "S/MIME",  # the standard's name
    "PKCS#12",  # file format name
    "OCSP",  # protocol name, a heading on the certificate page
    "CRL",  # as above
    "SMIMEA",  # DNS record type
    "TXT",  # DNS record type
    "UTC",  # the time zone's name, shown after times
    "DNSSEC",  # protocol name, a column heading on the publishing pages
    "TTL",  # DNS's own term for a record's lifetime, a column heading
)

# Links in plain-text mails: the portal's paths, the same in every language. A word that
# merely holds a slash ("and/or") is still text.
_PATH = re.compile(r"(?:https?://|/)[\w\-.~/#?=&{}…\ue000]*")

# Elements whose content is code (commands, PEM, tokens), copied as it is.
CODE_ELEMENTS = frozenset({"pre", "code", "kbd", "samp", "script", "style"})

# Attributes a person reads or hears (screen readers); their values need marking too.
READ_ATTRIBUTES = frozenset({"alt", "title", "placeholder", "aria-label", "aria-description"})

# Stands in for a {{ variable }} or {% tag %}: not a letter, so it never counts as
# text, and it keeps an attribute such as aria-label="{% translate … %}" non-empty.
PLACEHOLDER = "\ue000"

_TERMS = re.compile(
    r"(?<![\w/#])(?:" + "|".join(re.escape(term) for term in UNTRANSLATED_TERMS) + r")(?![\w/#])"
)
# A quoted string given to the default filters, or to an include as a shown value.
_QUOTED = r"""(?P<quote>["'])(?P<text>.*?)(?P=quote)"""
_SHOWN_FILTER_ARGUMENT = re.compile(r"\|default(?:_if_none)?:" + _QUOTED)
_SHOWN_INCLUDE_ARGUMENT = re.compile(r"\b(?:label|button|title|heading|text|message)=" + _QUOTED)
_VOID_ELEMENTS = frozenset({"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col"})
_MARKED_OPEN = frozenset({"blocktranslate", "blocktrans"})
_MARKED_CLOSE = frozenset({"endblocktranslate", "endblocktrans"})


@dataclass(frozen=True)
class Unmarked:
    line: int
    text: str


def has_words(text: str) -> bool:
    """True when letters remain once the untranslated terms are taken out."""
    return any(char.isalpha() for char in _PATH.sub(" ", _TERMS.sub(" ", text)))


def unmarked_source(source: str) -> str:
    """The template with everything marked or non-text blanked out, lines kept.

    Variables and tags become PLACEHOLDER, text inside a blocktranslate or a
    comment block becomes nothing; only newlines survive, so a position in the
    result has the same line number as in the template.
    """
    pieces: list[str] = []
    inside: str | None = None  # "marked" or "comment" while in such a region
    for token in Lexer(source).tokenize():
        newlines = "\n" * token.contents.count("\n")
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split(maxsplit=1)[0] if token.contents else ""
            if inside is None and name in _MARKED_OPEN:
                inside = "marked"
            elif inside is None and name == "comment":
                inside = "comment"
            elif (inside == "marked" and name in _MARKED_CLOSE) or (
                inside == "comment" and name == "endcomment"
            ):
                inside = None
            pieces.append(PLACEHOLDER + newlines)
        elif token.token_type == TokenType.TEXT and inside is None:
            pieces.append(token.contents)
        elif token.token_type == TokenType.VAR and inside is None:
            pieces.append(PLACEHOLDER + newlines)
        else:
            pieces.append(newlines)
    return "".join(pieces)


def _shown(text: str) -> str:
    """Text as a report shows it: trimmed, with "{…}" where a variable or tag was."""
    return text.strip(" \t\r\n" + PLACEHOLDER).replace(PLACEHOLDER, "{…}")


class _TextFinder(HTMLParser):
    """Collects the text and read attributes that still hold words."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Unmarked] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and has_words(value):
                self.found.append(Unmarked(line, f'{name}="{_shown(value)}"'))
        if tag not in _VOID_ELEMENTS:
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_ELEMENTS:
            self._open.pop()

    def handle_endtag(self, tag: str) -> None:
        # Pop back to the matching element; a stray end tag (for example one
        # whose start sat inside a blocktranslate) changes nothing.
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if CODE_ELEMENTS.intersection(self._open) or not has_words(data):
            return
        # getpos() is where the data starts; report the line of its first letter.
        first_letter = next(i for i, char in enumerate(data) if char.isalpha())
        line = self.getpos()[0] + data[:first_letter].count("\n")
        self.found.append(Unmarked(line, _shown(data)))


def unmarked_literals(source: str) -> list[Unmarked]:
    """Quoted strings a tag or variable shows without _(): {{ x|default:"never" }},
    {% include … with label="Owner" %}. Literals that are keys, formats or names
    (date:"Y-m-d", noun="event", url names) are not shown, so they are left alone."""
    found = []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.VAR:
            pattern = _SHOWN_FILTER_ARGUMENT
        elif token.token_type == TokenType.BLOCK and token.contents.startswith("include "):
            pattern = _SHOWN_INCLUDE_ARGUMENT
        else:
            continue
        for match in pattern.finditer(token.contents):
            if has_words(match.group("text")):
                found.append(Unmarked(token.lineno or 0, match.group(0)))
    return found


def find_unmarked(source: str, *, html: bool = True) -> list[Unmarked]:
    """The strings in a template source that no translate tag marks."""
    text = unmarked_source(source)
    literals = unmarked_literals(source)
    if not html:
        lines = enumerate(text.splitlines(), start=1)
        found = [Unmarked(n, _shown(line)) for n, line in lines if has_words(line)]
    else:
        finder = _TextFinder()
        finder.feed(text)
        finder.close()
        found = finder.found
    return sorted(literals + found, key=lambda item: item.line)


def _template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})


def test_templates_mark_every_visible_string() -> None:
    problems = []
    checked = 0
    for path in _template_files():
        relative = path.relative_to(TEMPLATES).as_posix()
        checked += 1
        source = path.read_text(encoding="utf-8")
        for item in find_unmarked(source, html=path.suffix == ".html"):
            problems.append(f"templates/{relative}:{item.line}: {item.text!r}")
    assert checked > 0, "no template found"
    assert not problems, "Strings not marked for translation:\n" + "\n".join(problems)


# The checker itself, on synthetic templates: it must fail on what it is for.


def test_unmarked_sentence_is_found_with_its_line() -> None:
    source = "{% load i18n %}\n<section>\n  <p>Renew your certificate.</p>\n</section>\n"
    assert find_unmarked(source) == [Unmarked(3, "Renew your certificate.")]


def test_marked_strings_pass() -> None:
    source = (
        "{% load i18n %}<h1>{% translate 'Install guides' %}</h1>\n"
        "<p>{% blocktranslate trimmed with name=x %}\n  Choose the <strong>{{ name }}</strong>\n"
        "  format.{% endblocktranslate %} {{ guide.why }} &mdash; #{{ cert.pk }}</p>\n"
        "<nav aria-label=\"{% translate 'Pages' %}\"></nav>"
    )
    assert find_unmarked(source) == []


def test_text_after_a_blocktranslate_ends_is_checked_again() -> None:
    source = "<p>{% blocktranslate %}Marked{% endblocktranslate %}\nthen not.</p>"
    assert find_unmarked(source) == [Unmarked(2, "then not.")]


def test_text_around_variables_and_tags_is_found() -> None:
    source = "<td>{{ days }} day{{ days|pluralize }}</td>{% if x %}<b>Renew</b>{% endif %}"
    assert [item.text for item in find_unmarked(source)] == ["day", "Renew"]


def test_read_attributes_are_checked() -> None:
    source = '<button aria-label="Revoke token {{ token.name }}">{% translate "Revoke" %}</button>'
    assert find_unmarked(source) == [Unmarked(1, 'aria-label="Revoke token"')]


def test_code_comments_scripts_and_listed_terms_are_not_text() -> None:
    source = (
        "<pre>openssl req -new -key certificate.key</pre><p><code>-legacy</code></p>\n"
        "{% comment %}A note for developers.{% endcomment %}{# and this #}\n"
        "<script>const hidden = true;</script><style>p { color: red; }</style>\n"
        "<dt>OCSP</dt><dt>S/MIME</dt><dd>12:00 UTC</dd><span>PKCS#12</span>"
    )
    assert find_unmarked(source) == []


def test_listed_term_inside_a_sentence_still_needs_marking() -> None:
    assert [item.text for item in find_unmarked("<p>Send me an S/MIME test</p>")] == [
        "Send me an S/MIME test"
    ]


def test_shown_literals_in_variables_and_includes_are_found() -> None:
    source = (
        '{{ when|date:"Y-m-d"|default:"never" }} {{ x|default:_("never") }} {{ y|default:"—" }}\n'
        '{% include "t.html" with label="Owner" noun="event" button=_("Save") %}'
    )
    assert find_unmarked(source) == [
        Unmarked(1, '|default:"never"'),
        Unmarked(2, 'label="Owner"'),
    ]


def test_plain_text_templates_are_read_line_by_line() -> None:
    source = "{% translate 'Hello' %}\n\nYour certificate for {{ email }} expires <soon>.\n"
    assert find_unmarked(source, html=False) == [
        Unmarked(3, "Your certificate for {…} expires <soon>.")
    ]


def test_links_in_plain_text_are_not_text_but_the_words_around_them_are() -> None:
    source = "{{ base }}/certificates/{{ id }}/#renew\nRenew it at {{ base }}/certificates/\n"
    assert find_unmarked(source, html=False) == [Unmarked(2, "Renew it at {…}/certificates/")]
