"""The fake arXiv API: ``GET /api/query?id_list=…`` answered with an Atom feed of SYNTHETIC
records, in the shape of the recorded real answers (``../shared/reference/arxiv``).

A malformed id fails the whole ``id_list`` with the real HTTP 400 feed; a well-formed id arXiv
does not know is left out without a word. A withdrawn record (``"withdrawn": True`` in the
corpus) is served as arXiv serves one: its last version's comment says it has been withdrawn,
its abstract is that notice (arXiv's withdrawal policy: the withdrawn version replaces the
abstract; the earlier versions stay readable on the site, not through this API).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from .wire import Answer, BadParam, error, int_param

if TYPE_CHECKING:
    from .server import FakeApi

__all__ = ["WITHDRAWN_COMMENT", "arxiv_query", "empty_feed"]

_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z.\-]*(\.[A-Z]{2})?/\d{7})(v\d+)?$")
#: what arXiv writes in the comment (and abstract) of a withdrawn version
WITHDRAWN_COMMENT = "This paper has been withdrawn by the authors."

_FEED_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
)


def _arxiv_error(bad: str) -> Answer:
    anchor = f"https://arxiv.org/api/errors#incorrect_id_format_for_{bad}"
    feed = (
        f"{_FEED_HEAD}  <id>https://arxiv.org/</id>\n  <title>arXiv Search Results</title>\n"
        "  <updated>2000-01-01T00:00:00Z</updated>\n"
        "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
        "  <opensearch:totalResults>1</opensearch:totalResults>\n"
        "  <opensearch:startIndex>0</opensearch:startIndex>\n"
        f"  <entry>\n    <id>{escape(anchor)}</id>\n    <title>Error</title>\n"
        "    <updated>2000-01-01T00:00:00Z</updated>\n"
        f"    <link href={quoteattr(anchor)} rel=\"alternate\" type=\"text/html\"/>\n"
        f"    <summary>incorrect id format for {escape(bad)}</summary>\n"
        "    <author>\n      <name>arXiv api core</name>\n    </author>\n  </entry>\n</feed>\n"
    )
    return 400, "application/atom+xml; charset=utf-8", feed.encode()


def _arxiv_entry(record: dict[str, Any], version: int) -> str:
    abs_id = f"{record['id']}v{version}"
    if record.get("withdrawn"):
        record = {**record, "summary": WITHDRAWN_COMMENT, "comment": WITHDRAWN_COMMENT}
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{escape(abs_id)}</id>",
        f"    <title>{escape(record['title'])}</title>",
        f"    <updated>{record['updated']}</updated>",
        f'    <link href="https://arxiv.org/abs/{escape(abs_id)}" rel="alternate" '
        'type="text/html"/>',
        f'    <link href="https://arxiv.org/pdf/{escape(abs_id)}" rel="related" '
        'type="application/pdf" title="pdf"/>',
        f"    <summary>{escape(record['summary'])}</summary>",
        *(f'    <category term="{escape(c)}" scheme="http://arxiv.org/schemas/atom"/>'
          for c in record["categories"]),
        f"    <published>{record['published']}</published>",
    ]
    if record.get("comment"):
        lines.append(f"    <arxiv:comment>{escape(record['comment'])}</arxiv:comment>")
    lines.append(f'    <arxiv:primary_category term="{escape(record["primary_category"])}"/>')
    if record.get("journal_ref"):
        lines.append(f"    <arxiv:journal_ref>{escape(record['journal_ref'])}</arxiv:journal_ref>")
    lines += [f"    <author>\n      <name>{escape(name)}</name>\n    </author>"
              for name in record["authors"]]
    if record.get("doi"):  # after the authors, as arXiv writes it
        lines.append(f"    <arxiv:doi>{escape(record['doi'])}</arxiv:doi>")
        lines.append(f'    <link rel="related" href="https://doi.org/{escape(record["doi"])}" '
                     'title="doi"/>')
    lines.append("  </entry>")
    return "\n".join(lines)


def arxiv_query(api: FakeApi, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
    raw = query.get("id_list", [""])[0]
    ids = [i.strip() for i in raw.split(",") if i.strip()]
    for sent in ids:
        if not _ARXIV_ID.match(sent):
            return _arxiv_error(sent)
    try:
        start = int_param(query, "start", 0)
        max_results = int_param(query, "max_results", 10)
    except BadParam as exc:
        return error(400, f"Invalid value for {exc}")
    entries = []
    for sent in ids:
        base, _, version = re.sub(r"v(\d+)$", r" \1", sent).partition(" ")
        record = api.corpus.arxiv.get(base)
        if record is None or (version and int(version) > record["version"]):
            continue  # arXiv leaves unknown well-formed ids out without a word
        entries.append(_arxiv_entry(record, int(version) if version else record["version"]))
    page = entries[start:start + max_results]
    feed = (
        f"{_FEED_HEAD}  <id>https://arxiv.org/api/SYNTHETIC</id>\n"
        f"  <title>arXiv Query: id_list={escape(raw)}</title>\n"
        "  <updated>2000-01-01T00:00:00Z</updated>\n"
        f"  <link href={quoteattr('https://arxiv.org/api/query?id_list=' + raw)} "
        'type="application/atom+xml"/>\n'
        f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{len(entries)}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
        + "".join(entry + "\n" for entry in page)
        + "</feed>\n"
    )
    return 200, "application/atom+xml; charset=utf-8", feed.encode()


def empty_feed(api: FakeApi, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
    """The feed of a query that found nothing, whatever it asked: what arXiv answers now and
    then to ids it knows (the client asks once more)."""
    return arxiv_query(api, path, {**query, "id_list": [""]}, body)
