"""How the list spells its venues: the cell a row's venue was read from, the spelling as written,
the list's house style of each venue (what suggested rows copy), and the spellings of one venue
that ``lint``'s ``venue-variants`` reports.

Two spellings are one venue when their keys are equal (the curation's ``venue_aliases`` applied,
then ``venue_names.venue_key``: case, punctuation, a publisher and a year ignored); for
``venue-variants`` also when they are one swapped letter apart in a long word ("JSTARG",
"J-STARS").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from ..models import ListDocument, ListEntry
from ..venue_names import drop_presentation, normalize_venue, venue_key, venue_words
from .curation import Curation
from .findings import Finding
from .lines import table_cells
from .parse import is_bullet_line, split_venue_year

__all__ = ["is_table_row", "venue_cell", "venue_spelling", "venue_variants"]

# "TGRS 2022", and "TGRS2021" glued: the spelling is the venue's, the year apart; "(…)" stays whole
_WRITTEN_VENUE = re.compile(r"^(.*?\S)[^\w)\]]*\s*(?<!\d)(?:19|20)\d\d\W*$")


def is_table_row(entry: ListEntry) -> bool:
    return "|" in entry.raw and not is_bullet_line(entry.raw)


def venue_cell(entry: ListEntry) -> str | None:
    """The cell of a table row that the parser read the venue from, found by its content: tables
    put the venue in any column ("| Year | Title | Venue |"), so its position says nothing."""
    if not entry.venue or not is_table_row(entry):
        return None
    return next((cell for cell in table_cells(entry.raw) if split_venue_year(cell)[0] == entry.venue),
                None)


def _written_venue(entry: ListEntry) -> str | None:
    """The venue as the row spells it: the parser tidies ``entry.venue`` ("arxiv" → "arXiv");
    a presentation label ("ACMMM 2023 oral") is no part of it."""
    if not entry.venue:
        return None
    cell = venue_cell(entry)
    if cell is None:
        return entry.venue
    cell = drop_presentation(cell.strip())
    written = _WRITTEN_VENUE.match(cell)
    return written.group(1) if written else cell


def _word_at(words: Sequence[str], index: int) -> str:
    """The word holding the `index`-th letter of the words run together."""
    for word in words:
        if index < len(word):
            return word
        index -= len(word)
    return ""


def _one_letter_apart(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether two venues (their ``venue_words``) differ in one swapped letter of a cased script
    inside a word of at least five letters on both sides: "JSTARG"/"J-STARS" is a typo. In a short
    acronym each letter is a word ("IEEE TGRS"/"IEEE MGRS": Transactions, Magazine; "CVPR"/
    "ICCV"), an inserted letter is another venue ("CVPR"/"CVPRW", a workshop), and a Chinese
    character is a word ("遥感学报"/"测绘学报"): none of these counts."""
    joined_a, joined_b = "".join(a), "".join(b)
    if len(joined_a) != len(joined_b):
        return False
    differ = [i for i, (x, y) in enumerate(zip(joined_a, joined_b)) if x != y]
    if len(differ) != 1:
        return False
    (i,) = differ
    cased = all(ch.upper() != ch for ch in (joined_a[i], joined_b[i]))
    return cased and min(len(_word_at(a, i)), len(_word_at(b, i))) >= 5


def _canonical_venue(spelling: str, curation: Curation | None) -> str:
    """The venue with the curation's aliases applied (tidied by ``normalize_venue``)."""
    return curation.canonical_venue(spelling) if curation is not None else normalize_venue(spelling)


def _venue_key(spelling: str, curation: Curation | None) -> str:
    """What two spellings of one venue share: the curation's aliases applied, then ``venue_key``,
    the comparison the curation's alias lookup makes too."""
    return venue_key(_canonical_venue(spelling, curation))


def _spellings(document: ListDocument) -> dict[str, list[ListEntry]]:
    """Each venue spelling as the rows write it, with its rows in list order."""
    rows: dict[str, list[ListEntry]] = defaultdict(list)
    for entry in document.papers:
        if spelling := _written_venue(entry):
            rows[spelling].append(entry)
    return rows


def _house_style(names: Iterable[str], rows: Mapping[str, Sequence[ListEntry]]) -> str:
    """The most used spelling is the house style; ties go to the one written first."""
    return max(names, key=lambda s: (len(rows[s]), -rows[s][0].line))


def venue_spelling(document: ListDocument, curation: Curation | None = None) -> Callable[[str], str]:
    """Return how the list spells a venue named elsewhere (Semantic Scholar's name of it).

    A name with the key of spellings the list uses (the curation's ``venue_aliases`` applied,
    then ``venue_key``: case, punctuation, a publisher and a year ignored, as ``venue-variants``
    compares them) is written as the list's house style of it, so a suggested row adds no
    variant; any other name is its canonical form. Only equal keys count: names one letter apart ("IEEE TGRS",
    "IEEE MGRS") may be two venues.

    >>> row = ListEntry("paper", "A", "a", "VQA", "VQA", 3, "[A](a)|arxiv 2023|-", venue="arXiv")
    >>> spell = venue_spelling(ListDocument("l.md", "L", (row,)))
    >>> spell("arXiv.org"), spell("Remote Sensing")
    ('arxiv', 'Remote Sensing')
    """
    rows = _spellings(document)
    members: dict[str, list[str]] = defaultdict(list)
    for spelling in rows:
        members[_venue_key(spelling, curation)].append(spelling)
    house = {key: _house_style(names, rows) for key, names in members.items()}

    def spell(name: str) -> str:
        return house.get(_venue_key(name, curation), _canonical_venue(name, curation))

    return spell


def venue_variants(document: ListDocument, curation: Curation | None) -> Iterable[Finding]:
    """``venue-variants`` warnings: each row spelling a venue otherwise than its house style."""
    rows = _spellings(document)
    # union spellings with the same key or one letter apart
    canonical = {s: _canonical_venue(s, curation) for s in rows}  # once per spelling
    words = {s: venue_words(name) for s, name in canonical.items()}
    group = {s: venue_key(name) for s, name in canonical.items()}
    spellings = list(rows)
    for i, a in enumerate(spellings):
        for b in spellings[i + 1:]:
            if group[a] != group[b] and _one_letter_apart(words[a], words[b]):
                old, new = group[b], group[a]
                group = {s: new if g == old else g for s, g in group.items()}
    members: dict[str, list[str]] = defaultdict(list)
    for spelling in spellings:
        members[group[spelling]].append(spelling)
    for names in members.values():
        if len(names) < 2:
            continue
        preferred = _house_style(names, rows)
        lines = ", ".join(str(e.line) for e in rows[preferred])
        for spelling in names:
            if spelling == preferred:
                continue
            for entry in rows[spelling]:
                yield Finding(
                    document.path, entry.line, "warning", "venue-variants",
                    f"venue spelled {spelling!r} here and {preferred!r} on lines {lines}; "
                    "use one spelling",
                )
