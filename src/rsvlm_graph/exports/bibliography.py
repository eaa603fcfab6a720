"""The list's papers for reference managers: BibTeX, RIS and CSL-JSON (Zotero, JabRef, EndNote,
Mendeley, pandoc).

API
---
:func:`references` turns paper nodes of the graph into :class:`Reference` values, each with its
citation key; the three formats are then written per paper or per file, from the same values:

==================================  ==========================================================
``references(G, nodes=None)``       ``{node id: Reference}`` for the list's papers (and
                                    ``nodes``, e.g. the outside papers a page shows); keys
                                    stable and unique among them
``bibtex_entry(ref) -> str``        one ``@article{…}`` / ``@inproceedings{…}`` / ``@misc{…}``
``ris_entry(ref) -> str``           one ``TY  - …`` … ``ER  -`` record
``csl_item(ref) -> dict``           one CSL-JSON item (``json.dumps`` it)
``bibliography(refs, fmt) -> str``  a whole text, ``fmt`` one of ``FORMATS`` (``bibtex``,
                                    ``ris``, ``csl-json``): the per-paper entries joined, so a
                                    page's entry and the file's are the same text
``write_bibliography(refs, fmt,     that text as a file (``FILE_NAMES``: ``papers.bib``,
path)``                             ``papers.ris``, ``papers.csl.json``)
``list_references(G)``              the list's papers, in key order: what the files hold
``bibliography_of(G, nodes, fmt)``  chosen papers in a given order (``rank``, ``discover``)
==================================  ==========================================================

What a record holds: title, authors, year, venue, DOI, arXiv id (BibTeX ``eprint`` and
``archivePrefix``), URL, and the list's tasks as keywords. Built offline from the list alone, it
holds what the list says; enriched, what was fetched (Semantic Scholar's title, authors, year
and venue; the list's venue is kept when S2 knows only a preprint of a paper the list gives a
journal or conference for). The entry type follows the venue (``venue_names.venue_kind``, the
same reading the RDF's FaBiO type uses): a journal article, a conference paper, a preprint, or
a generic entry when the venue does not say.

Citation keys read ``<first author's family name><year><first title word>`` in ASCII lower case
(``hu2023rsgpt``), the family name left out when no author is known (``rsgpt2023``); papers
that would share one get ``a``, ``b``, … in node id order, after the list's papers, so a key
depends only on the papers and the order of their ids, never on the build's timing.
BibTeX is written with bibtexparser 2 (text fields LaTeX-encoded with pylatexenc, its
dependency; words with capitals past their first letter braced, so styles keep "GPT" and
"GeoChat"), RIS with rispy; the bytes are the same on every run.
"""

from __future__ import annotations

import itertools
import json
import re
import string
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import rispy
from bibtexparser import model
from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.middlewares import AddEnclosingMiddleware
from bibtexparser.writer import BibtexFormat
from pylatexenc.latexencode import UnicodeToLatexEncoder

from ..files import atomic_text
from ..identifiers import PAPER_PAGES
from ..venue_names import venue_kind

__all__ = [
    "Reference",
    "references",
    "list_references",
    "bibtex_entry",
    "ris_entry",
    "csl_item",
    "bibliography",
    "bibliography_of",
    "write_bibliography",
    "BibliographyFormat",
    "FORMATS",
    "FILE_NAMES",
]

#: the files a build writes, by format
FILE_NAMES: dict[str, str] = {"bibtex": "papers.bib", "ris": "papers.ris", "csl-json": "papers.csl.json"}

EntryType = Literal["journal", "conference", "preprint", "other"]

#: words a citation key skips for its title word (Better BibTeX skips the same kind)
_FUNCTION_WORDS = frozenset(
    "a an the on of for in to and with towards toward via from at by is are do does can".split()
)
_BIBTEX_TYPES = {"journal": "article", "conference": "inproceedings", "preprint": "misc",
                 "other": "misc"}
#: RIS types (RIS spec; Zotero reads JOUR, CPAPER and UNPB as journal article, conference paper
#: and manuscript)
_RIS_TYPES = {"journal": "JOUR", "conference": "CPAPER", "preprint": "UNPB", "other": "GEN"}
#: CSL 1.0.2 types: ``article`` is a preprint
_CSL_TYPES = {"journal": "article-journal", "conference": "paper-conference", "preprint": "article",
              "other": "article"}


@dataclass(frozen=True, slots=True)
class Reference:
    """One paper as a reference manager takes it; ``authors`` are full names, in order."""

    key: str
    entry_type: EntryType
    title: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    arxiv_category: str | None = None  # arXiv's primary category, when fetched
    url: str | None = None
    keywords: tuple[str, ...] = ()  # the list's tasks


def _venue(attrs: Mapping[str, Any]) -> str | None:
    """The fetched venue, unless it is only a preprint where the list names where it appeared."""
    listed, fetched = attrs.get("venue"), attrs.get("s2_venue")
    if fetched and not (venue_kind(fetched) == "preprint" and listed
                        and venue_kind(listed) != "preprint"):
        return str(fetched)
    return str(listed) if listed else None


def _entry_type(venue: str | None, arxiv_id: str | None) -> EntryType:
    kind = venue_kind(venue)
    if kind is not None:
        return kind
    return "preprint" if arxiv_id and not venue else "other"


def _ascii_word(text: str) -> str:
    """``text`` folded to ASCII letters and digits, accents dropped (other scripts drop out)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[^a-z0-9]", "", folded.encode("ascii", "ignore").decode())


def _name_parts(name: str) -> tuple[str, str]:
    """``(family, given)`` of a full name as Semantic Scholar writes it ("Yuan Hu")."""
    words = name.split()
    if not words:
        return "", ""
    return words[-1], " ".join(words[:-1])


def _base_key(title: str, authors: Sequence[str], year: int | None) -> str:
    family = _ascii_word(_name_parts(authors[0])[0]) if authors else ""
    words = [_ascii_word(w) for w in re.split(r"[\s:/]+", title)]  # "Bi-modal" → "bimodal"
    word = next((w for w in words if w and w not in _FUNCTION_WORDS), "")
    year_text = str(year) if year else ""
    if family:
        return f"{family}{year_text}{word}"
    return f"{word}{year_text}" or "paper"


def _suffixes() -> Iterator[str]:
    """a, b, …, z, aa, ab, …, zz, aaa, …: what a second, third, … paper with the same key gets;
    never runs out (a list of 10,000 papers can share one key)."""
    for length in itertools.count(1):
        for letters in itertools.product(string.ascii_lowercase, repeat=length):
            yield "".join(letters)


def _reference(attrs: Mapping[str, Any], key: str) -> Reference:
    venue = _venue(attrs)
    arxiv_id = attrs.get("arxiv_id")
    return Reference(
        key=key,
        entry_type=_entry_type(venue, arxiv_id),
        title=" ".join(str(attrs.get("s2_title") or attrs.get("title") or "").split()),
        authors=tuple(" ".join(a.split()) for a in attrs.get("authors") or () if a.strip()),
        year=attrs.get("year"),
        venue=venue,
        doi=attrs.get("doi"),
        arxiv_id=arxiv_id,
        arxiv_category=attrs.get("arxiv_primary_category"),
        url=attrs.get("url") or (PAPER_PAGES["arxiv_id"].format(arxiv_id) if arxiv_id else None),
        keywords=tuple(attrs.get("tasks") or ()),
    )


def references(G: nx.MultiDiGraph, nodes: Iterable[str] | None = None) -> dict[str, Reference]:
    """Return the list's papers, and the paper nodes ``nodes`` names, as references.

    Keys are assigned to the list's papers first, in node id order, then to the other nodes
    asked for: a list paper's key is the same whichever outside papers come along (in the page
    and in ``papers.bib``).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("paper:arxiv:2307.15266", kind="paper", in_list=True, title="RSGPT: A model",
    ...            year=2023, venue="arXiv", arxiv_id="2307.15266", authors=("Yuan Hu",))
    >>> G.add_node("paper:title:rsgpt-b", kind="paper", in_list=True, title="RSGPT: Another",
    ...            year=2023, authors=("Yuan Hu",))
    >>> G.add_node("paper:title:x", kind="paper", in_list=True, title="The X", year=None)
    >>> [(r.key, r.entry_type) for r in references(G).values()]
    [('hu2023rsgpt', 'preprint'), ('hu2023rsgpta', 'other'), ('x', 'other')]
    """
    data = G.nodes
    listed = sorted(n for n, a in data(data="in_list") if a and data[n].get("kind") == "paper")
    extra = sorted(set(nodes or ()) - set(listed))
    taken: set[str] = set()
    suffixes: dict[str, Iterator[str]] = {}  # per key, the suffixes not tried yet: linear, not quadratic
    result: dict[str, Reference] = {}
    for node in (*listed, *extra):
        attrs = data[node]
        title = str(attrs.get("s2_title") or attrs.get("title") or "")
        base = _base_key(title, [a for a in attrs.get("authors") or () if a.strip()], attrs.get("year"))
        key = base
        while key in taken:
            key = base + next(suffixes.setdefault(base, _suffixes()))
        taken.add(key)
        result[node] = _reference(attrs, key)
    return result


def list_references(G: nx.MultiDiGraph) -> list[Reference]:
    """The list's papers as references, in key order: what the export files hold."""
    return sorted(references(G).values(), key=lambda r: r.key)


# -- BibTeX ---------------------------------------------------------------------------------

_LATEX = UnicodeToLatexEncoder(unknown_char_policy="keep", unknown_char_warning=False,
                               replacement_latex_protection="braces", non_ascii_only=False)
_FORMAT = BibtexFormat()  # type: ignore[no-untyped-call]  # bibtexparser leaves it unhinted
_FORMAT.indent = "  "
_FORMAT.block_separator = "\n"
#: every value in braces; the writer's default stack would also re-join names we split already
_ENCLOSING = [AddEnclosingMiddleware(reuse_previous_enclosing=False, enclose_integers=True,
                                     default_enclosing="{", allow_inplace_modification=True)]


def _latex(text: str, chunk: int = 2048) -> str:
    """``text`` LaTeX-encoded, a chunk at a time: the encoder builds its result by repeated
    concatenation, so a 1.2 MB title took 22 s whole. Its rules map one character each; a chunk
    never ends before a combining mark, which may be encoded with the letter it follows."""
    parts, start = [], 0
    while start < len(text):
        end = min(start + chunk, len(text))
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        parts.append(str(_LATEX.unicode_to_latex(text[start:end])))
        start = end
    return "".join(parts)


_WORD = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


def _protected_word(word: str) -> str:
    """A title word LaTeX-encoded, in braces when it has a capital past its first letter
    ("RSGPT", "GeoChat"): BibTeX styles lower-case titles, and must not these."""
    lead, core, trail = _WORD.match(word).groups()  # type: ignore[union-attr]  # always matches
    if any(c.isupper() for c in core[1:]):
        return f"{_latex(lead)}{{{_latex(core)}}}{_latex(trail)}"
    return _latex(word)


def _protected_title(title: str) -> str:
    """The title LaTeX-encoded, its words with capitals past their first letter in braces (the
    parts of a hyphenated word each: "Few-Shot" needs none, "Vision-GPT" one)."""
    return " ".join("-".join(_protected_word(part) for part in word.split("-"))
                    for word in title.split())


def _bibtex_name(name: str) -> str:
    family, given = _name_parts(name)
    return _latex(f"{family}, {given}" if given else family)


def bibtex_entry(ref: Reference) -> str:
    """One BibTeX entry, ending in a newline.

    >>> print(bibtex_entry(Reference("hu2023rsgpt", "preprint", "RSGPT: A & B", ("Yuan Hu",),
    ...                              2023, "arXiv", arxiv_id="2307.15266")), end="")
    @misc{hu2023rsgpt,
      title = {{RSGPT}: A \\& B},
      author = {Hu, Yuan},
      year = {2023},
      eprint = {2307.15266},
      archivePrefix = {arXiv}
    }
    """
    fields: list[tuple[str, str]] = [("title", _protected_title(ref.title))]
    if ref.authors:
        fields.append(("author", " and ".join(_bibtex_name(a) for a in ref.authors)))
    if ref.year:
        fields.append(("year", str(ref.year)))
    if ref.venue and ref.entry_type != "preprint":
        place = {"journal": "journal", "conference": "booktitle"}.get(ref.entry_type, "howpublished")
        fields.append((place, _latex(ref.venue)))
    if ref.doi:
        fields.append(("doi", ref.doi))
    if ref.arxiv_id:
        fields += [("eprint", ref.arxiv_id), ("archivePrefix", "arXiv")]
        if ref.arxiv_category:
            fields.append(("primaryClass", ref.arxiv_category))
    if ref.url:
        fields.append(("url", ref.url))
    if ref.keywords:
        fields.append(("keywords", ", ".join(_latex(k) for k in ref.keywords)))
    entry = model.Entry(_BIBTEX_TYPES[ref.entry_type], ref.key,
                        [model.Field(name, value) for name, value in fields])
    return str(write_string(Library([entry]), unparse_stack=_ENCLOSING, bibtex_format=_FORMAT))


# -- RIS ------------------------------------------------------------------------------------

class _RisWriter(rispy.RisWriter):  # type: ignore[misc]  # rispy ships no type hints
    """rispy's writer without the ``1.``, ``2.`` it puts before each record: RIS has no such line."""

    def set_header(self, count: int) -> str:
        return ""


def _ris_record(ref: Reference) -> dict[str, Any]:
    record: dict[str, Any] = {"type_of_reference": _RIS_TYPES[ref.entry_type], "id": ref.key,
                              "title": ref.title}
    if ref.authors:
        record["authors"] = [", ".join(p for p in _name_parts(a) if p) for a in ref.authors]
    if ref.year:
        record["year"] = str(ref.year)
    if ref.venue and ref.entry_type != "preprint":
        record["secondary_title"] = ref.venue  # T2: journal or proceedings title
    if ref.doi:
        record["doi"] = ref.doi
    if ref.arxiv_id:
        record["accession_number"] = f"arXiv:{ref.arxiv_id}"
    if ref.url:
        record["urls"] = [ref.url]
    if ref.keywords:
        record["keywords"] = list(ref.keywords)
    return record


def ris_entry(ref: Reference) -> str:
    """One RIS record, from ``TY`` to ``ER``, ending in a newline.

    >>> print(ris_entry(Reference("hu2023rsgpt", "journal", "RSGPT", ("Yuan Hu",), 2023, "TGRS")), end="")
    TY  - JOUR
    ID  - hu2023rsgpt
    TI  - RSGPT
    AU  - Hu, Yuan
    PY  - 2023
    T2  - TGRS
    ER  - 
    """
    return str(_RisWriter(skip_unknown_tags=True).formats([_ris_record(ref)]))


# -- CSL-JSON -------------------------------------------------------------------------------

def _csl_name(name: str) -> dict[str, str]:
    family, given = _name_parts(name)
    return {"family": family, "given": given} if given else {"literal": family}


def csl_item(ref: Reference) -> dict[str, Any]:
    """One CSL-JSON item (citeproc-js, pandoc, Zotero read them).

    >>> csl_item(Reference("hu2023rsgpt", "conference", "RSGPT", ("Yuan Hu",), 2023, "CVPR"))
    {'id': 'hu2023rsgpt', 'type': 'paper-conference', 'title': 'RSGPT', 'author': [{'family': 'Hu', 'given': 'Yuan'}], 'issued': {'date-parts': [[2023]]}, 'container-title': 'CVPR'}
    """
    item: dict[str, Any] = {"id": ref.key, "type": _CSL_TYPES[ref.entry_type], "title": ref.title}
    if ref.authors:
        item["author"] = [_csl_name(a) for a in ref.authors]
    if ref.year:
        item["issued"] = {"date-parts": [[ref.year]]}
    if ref.venue and ref.entry_type != "preprint":
        item["container-title"] = ref.venue
    if ref.doi:
        item["DOI"] = ref.doi
    if ref.arxiv_id:
        # Zotero's way: a preprint's server and number; another paper's arXiv id as a note
        if ref.entry_type == "preprint":
            item |= {"publisher": "arXiv", "number": f"arXiv:{ref.arxiv_id}"}
        else:
            item["note"] = f"arXiv:{ref.arxiv_id}"
    if ref.url:
        item["URL"] = ref.url
    if ref.keywords:
        item["keyword"] = ", ".join(ref.keywords)
    return item


# -- whole files ----------------------------------------------------------------------------

BibliographyFormat = Literal["bibtex", "ris", "csl-json"]
#: the formats, as ``--format`` names them
FORMATS: tuple[BibliographyFormat, ...] = ("bibtex", "ris", "csl-json")


def bibliography(refs: Sequence[Reference], fmt: BibliographyFormat) -> str:
    """``refs`` as one text in ``fmt``: the per-paper entries joined (a blank line between
    BibTeX entries and RIS records), or a CSL-JSON array with one item per line block.

    >>> refs = [Reference("a2020x", "other", "X"), Reference("b2021y", "other", "Y")]
    >>> print(bibliography(refs, "ris"), end="")
    TY  - GEN
    ID  - a2020x
    TI  - X
    ER  - 
    <BLANKLINE>
    TY  - GEN
    ID  - b2021y
    TI  - Y
    ER  - 
    """
    if fmt == "csl-json":
        return json.dumps([csl_item(r) for r in refs], ensure_ascii=False, indent=1) + "\n"
    entry = bibtex_entry if fmt == "bibtex" else ris_entry
    return "\n".join(entry(r) for r in refs)


def bibliography_of(G: nx.MultiDiGraph, nodes: Sequence[str], fmt: BibliographyFormat,
                    keywords: Mapping[str, Sequence[str]] | None = None) -> str:
    """The paper nodes ``nodes`` of ``G`` as one text in ``fmt``, in the order given (a ranking,
    discovery's candidates); ``keywords`` replaces a node's (a candidate's suggested task)."""
    refs = references(G, nodes)
    chosen = [refs[node] for node in nodes]
    if keywords:
        chosen = [replace(r, keywords=tuple(keywords.get(node, r.keywords)))
                  for node, r in zip(nodes, chosen)]
    return bibliography(chosen, fmt)


def write_bibliography(refs: Sequence[Reference], fmt: BibliographyFormat, path: Path) -> None:
    """Write ``refs`` to ``path`` in ``fmt`` (UTF-8), in the order given, atomically."""
    with atomic_text(path) as out:
        out.write(bibliography(refs, fmt))
