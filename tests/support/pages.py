"""Web pages built in code, for reader-mode tests and the loopback server.

:func:`article_page` writes a page the way news sites do: a header with a navigation bar,
an ad block, the article (headline, lead, ``<h2>`` sections, a list, a quote, links), a
comment thread and a footer. The clutter carries distinctive words (:data:`CLUTTER`) so a
test can say it is gone; the article's words are ordinary prose.

Paragraphs given to these functions are HTML fragments: the caller writes the markup and
escapes its own text. One that starts with a block tag (a list, a quote, ``<pre>``, a
table, an ``<h3>``) is written as it is, any other is wrapped in ``<p>``. Titles and
headings are plain text and are escaped here.
"""

from __future__ import annotations

from html import escape

DEFAULT_TITLE = "Riverside tram line opens after six years of work"

DEFAULT_LEAD = [
    "The first passenger trams ran along the new Riverside line on Monday morning, six "
    "years after the city council approved the project and two years later than planned.",
    "Commuters queued at the Harbour Street stop before dawn to ride the first service, "
    "which left the depot at ten past five and reached the university campus in nineteen "
    "minutes.",
]

DEFAULT_SECTIONS: list[tuple[str, list[str]]] = [
    (
        "A long road to the first service",
        [
            "Work on the line began in the spring of the year after the vote, but "
            "engineers soon found old gas pipes under the main road that no map had shown.",
            "Moving them took eleven months and added a large sum to the budget, according "
            'to a <a href="/reports/riverside-audit">report by the city auditor</a> '
            "published last autumn.",
            "The council says the remaining stretch was finished on schedule once the "
            "pipes were out of the way, and that the final cost stayed within the revised "
            "estimate approved by the transport committee.",
        ],
    ),
    (
        "What changes for passengers",
        [
            "Trams will run every six minutes at peak times and every twelve minutes in "
            "the evening, with the last service leaving the campus shortly after midnight.",
            "Tickets bought for the city's buses are valid on the trams, and the operator "
            "has promised that fares will not change before the end of next year.",
            "<ul><li>Nine stops between the harbour and the campus</li>"
            "<li>Step-free boarding at every platform</li>"
            "<li>Bicycle racks at four of the stops</li></ul>",
        ],
    ),
    (
        "Reactions along the route",
        [
            "Shop owners on Mill Lane, where the road was closed for most of last year, "
            "said they hoped the trams would bring back customers they had lost.",
            "<blockquote><p>We held on through the roadworks because we believed the "
            "line would be worth it, and this morning it finally feels that way.</p>"
            "</blockquote>",
            'Details of the timetable are on the <a href="https://transit.example.org/'
            'riverside">operator\'s website</a>, and a <a href="javascript:alert(1)">map '
            "of the stops</a> will be posted at every platform.",
        ],
    ),
]

#: The same story in Japanese, for the CJK tests: 6 paragraphs, 422 CJK characters.
JAPANESE = [
    "川沿いの新しい路面電車が月曜日の朝、ついに営業運転を始めた。市議会が計画を承認してから"
    "六年、予定より二年遅れての開業となった。",
    "始発の電車は午前五時十分に車庫を出発し、港通りの停留所から大学のキャンパスまでを十九分で"
    "結んだ。夜明け前から多くの通勤客が列を作り、記念の切符を買い求める人の姿も見られた。",
    "工事が始まった直後、地図に載っていない古いガス管が大通りの地下から見つかり、その移設に"
    "十一か月を要した。市の監査報告によると、このために予算は大きく膨らんだという。",
    "運行会社によると、電車は朝夕の混雑時には六分おき、夜間は十二分おきに走る。最終便は深夜"
    "零時過ぎにキャンパスを出る。市バスの乗車券はそのまま路面電車でも使える。",
    "工事のため一年近く通行止めが続いた水車通りの商店主たちは、失った客が電車とともに戻って"
    "くることを期待していると話した。ある店主は「この日のために持ちこたえてきた」と語った。",
    "市は来年の春から、路線をさらに東へ延ばすための調査を始める予定だ。住民説明会は来月、"
    "市役所で開かれる。",
]
JAPANESE_TITLE = "川沿いの路面電車、六年越しの開業"

#: Words that only the page's clutter carries: none may survive extraction.
NAV_LINKS = ["NAVLINK-World", "NAVLINK-Business", "NAVLINK-Sport", "NAVLINK-Culture"]
CLUTTER = ("SPONSORED-OFFER", "COMMENT-TEXT", "FOOTER-TEXT", *NAV_LINKS)


def article_page(
    title: str = DEFAULT_TITLE,
    sections: list[tuple[str, list[str]]] | None = None,
    *,
    lead: list[str] | None = None,
    nav: bool = True,
    ad: bool = True,
    footer: bool = True,
    comments: bool = True,
    h1: bool = True,
    charset: str = "utf-8",
    meta_charset: bool = True,
    head_title: str | None = None,
    og_title: str | None = None,
) -> bytes:
    """A news article page, encoded in ``charset`` (declared in a ``<meta>`` if asked).

    ``head_title`` is the ``<title>`` (default: ``"<title> | The Riverside Chronicle"``, as
    sites do); ``og_title`` adds an ``og:title`` meta tag.
    """
    sections = DEFAULT_SECTIONS if sections is None else sections
    lead = DEFAULT_LEAD if lead is None else lead
    head_title = f"{title} | The Riverside Chronicle" if head_title is None else head_title
    out = ["<!DOCTYPE html>", '<html lang="en"><head>']
    if meta_charset:
        out.append(f'<meta charset="{escape(charset)}">')
    out.append(f"<title>{escape(head_title)}</title>")
    if og_title is not None:
        out.append(f'<meta property="og:title" content="{escape(og_title)}">')
    out.append('<link rel="stylesheet" href="/static/site.css"></head><body>')
    if nav:
        out.append(_NAV)
    if ad:
        out.append(_AD)
    out.append('<main><article class="story">')
    if h1:
        out.append(f'<h1 class="headline">{escape(title)}</h1>')
    out.append('<p class="byline">By Jane Holloway, transport correspondent</p>')
    out.extend(f"<p>{paragraph}</p>" for paragraph in lead)
    for heading, paragraphs in sections:
        out.append(f"<h2>{escape(heading)}</h2>")
        for paragraph in paragraphs:
            block = paragraph.lstrip().startswith(_BLOCK_STARTS)
            out.append(paragraph if block else f"<p>{paragraph}</p>")
    out.append("</article>")
    if comments:
        out.append(_COMMENTS)
    out.append("</main>")
    if footer:
        out.append(_FOOTER)
    out.append("</body></html>")
    return "\n".join(out).encode(charset)


_BLOCK_STARTS = ("<ul", "<ol", "<blockquote", "<pre", "<table", "<h3", "<h4", "<h5", "<div")
_NAV = (
    '<header class="site-header"><a class="logo" href="/">The Riverside Chronicle</a>'
    '<nav class="main-nav"><ul>'
    + "".join(f'<li><a href="/{name.lower()}">{name}</a></li>' for name in NAV_LINKS)
    + "".join(f'<li><a href="/section/{n}">Section {n}</a></li>' for n in range(12))
    + "</ul></nav></header>"
)
_AD = (
    '<div class="ad sponsored" id="ad-top"><p>Sponsored: Buy the SPONSORED-OFFER '
    'deluxe kettle today and save on every cup. <a href="https://ads.example.net/click">'
    "Shop now</a></p></div>"
)
_COMMENTS = (
    '<section id="comments" class="comments"><h3>Comments</h3>'
    '<div class="comment"><p class="author">reader42</p><p>COMMENT-TEXT I rode it this '
    "morning and the seats were comfortable, but the ticket machine at my stop was broken."
    '</p></div><div class="comment"><p class="author">millbank</p><p>COMMENT-TEXT About '
    "time too, we have waited long enough for this line to open.</p></div></section>"
)
_FOOTER = (
    '<footer class="site-footer"><p>FOOTER-TEXT The Riverside Chronicle, 1 Quay Street.'
    '</p><p>© 2026 Riverside Media Ltd. All rights reserved.</p><ul><li><a href="/about">'
    'About us</a></li><li><a href="/privacy">Privacy</a></li></ul></footer>'
)

#: Text a hostile page tries to smuggle through: terminal escapes, markup, bidi.
HOSTILE_TITLE = "Council \x1b[31mRED\x1b[0m vote [@click=app.quit]x[/] \u202eenil\u202c result"


def hostile_page() -> bytes:
    """An article whose text carries escape sequences, markup-like text, bidi overrides
    and scripts: in raw bytes and as character references both."""
    paragraphs = [
        "The vote passed [@click=app.quit]x[/] with a narrow margin, [bold red]said[/] the "
        "clerk, after a debate that ran for most of the afternoon and into the evening.",
        "Members argued \x1b[31mloudly\x1b[0m about the budget \x1b]52;c;Y2xpcGJvYXJk\x07"
        "for the new library, which most of them said the town had needed for years.",
        "Character references too: &#27;[2J cleared &#x1b;]8;;http://evil.example/&#7;"
        "link&#27;]8;;&#7; and \u202ereversed\u202c text, \u2066isolated\u2069 words and a "
        "bell &#7; in the middle of a sentence about the town's finances.",
        "<script>document.write('SCRIPT-TEXT')</script>The final count was nine votes to "
        "seven, and the chair thanked residents who had written in about the library.",
        "<style>.x{content:'STYLE-TEXT'}</style>Construction is due to start in the spring "
        "if the county approves the plans, which officials expect to happen by March.",
    ]
    sections = [
        ("What the \x1b[1mcouncil\x1b[0m decided", paragraphs[:3]),
        ("What happens next", paragraphs[3:]),
    ]
    return article_page(HOSTILE_TITLE, sections, ad=False, comments=False)


def typical_page(kb: int = 60) -> bytes:
    """A page of about ``kb`` kilobytes shaped like a real news page: a longer article
    (about 900 words), and the rest scripts, a related-stories rail and page furniture."""
    sections = [
        (f"{heading} ({part})", paragraphs)
        for part in ("morning", "evening")
        for heading, paragraphs in DEFAULT_SECTIONS
    ]
    page = article_page(sections=sections)
    related = "".join(
        f'<li><a href="/story/{n}">Related story number {n} about the town</a></li>'
        for n in range(40)
    )
    furniture = f'<aside class="related"><h3>More stories</h3><ul>{related}</ul></aside>'
    script_size = max(0, kb * 1000 - len(page) - len(furniture))
    script = "<script>window.__STATE__ = {" + '"k": "v", ' * (script_size // 10) + "};</script>"
    return page.replace(b"</body>", (furniture + script + "</body>").encode())


def huge_page(mb: float) -> bytes:
    """An article followed by filler paragraphs up to about ``mb`` megabytes."""
    page = article_page()
    filler_paragraph = (
        b"<div class='archive'><p>Archive entry about the harbour, the markets and the "
        b"weather on an ordinary day in the town, kept for the record.</p></div>\n"
    )
    count = max(0, int(mb * 1_000_000 - len(page)) // len(filler_paragraph))
    return page.replace(b"</body>", filler_paragraph * count + b"</body>")


def nested_page(depth: int) -> bytes:
    """An article wrapped in ``depth`` nested ``<div>`` elements, none of them closed."""
    page = article_page(nav=False, ad=False, comments=False, footer=False)
    return page.replace(b'<main><article class="story">', b"<div>" * depth + b"<main><article>")


def empty_page() -> bytes:
    """A page with a head and an empty body."""
    return b"<!DOCTYPE html><html><head><title>Nothing here</title></head><body></body></html>"


def pdf_bytes() -> bytes:
    """The start of a PDF file: what a story link to a PDF returns."""
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n"
        b"%%EOF\n"
    )
