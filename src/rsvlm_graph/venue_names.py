"""Venues by their names alone: a venue as written, tidied; the key two spellings of one venue
share; and what kind of venue a name says it is (preprint, conference, journal).

Pure functions, split from :mod:`~rsvlm_graph.identifiers` (titles and ids stay there): the list's
lint, its rows and the exports' entry types read them.
"""

from __future__ import annotations

import functools
import re
from typing import Literal

import ftfy

from .identifiers import normalize_title

__all__ = ["VENUE_PUBLISHERS", "VenueKind", "drop_presentation", "normalize_venue", "venue_key", "venue_kind", "venue_words"]


# how a paper was presented, which lists write beside its venue: "CVPR 2024 (Oral)", "ACMMM
# 2023 oral", "ICCV Oral 2025", "NeurIPS [Spotlight]"; in brackets, or the venue's last words
# (before its year): "Oral Oncology" and "Highlights in Science" are venues' names
_LABEL = (r"(?:best\s+(?:student\s+)?paper(?:\s+(?:award|candidate|honou?rable\s+mention))?"
          r"|(?:oral|spotlight|poster|highlight)s?(?:\s+(?:paper|presentation|talk|track))?)")
_PRESENTATION = re.compile(
    rf"(?<=\S)(?:\s*[(\[]\s*{_LABEL}\s*[)\]]|[\s,;–—-]+{_LABEL}(?=\W*(?:(?:19|20)\d\d\W*)?$))",
    re.IGNORECASE)


def drop_presentation(text: str) -> str:
    """``text`` without the presentation label written beside a venue: "CVPR 2024 (Oral)" is
    CVPR's 2024, "ICCV Oral 2025" is ICCV's.

    >>> drop_presentation("CVPR 2024 (Oral)"), drop_presentation("ICCV Oral 2025")
    ('CVPR 2024', 'ICCV 2025')
    >>> drop_presentation("ACMMM 2023 oral"), drop_presentation("Oral Oncology")
    ('ACMMM 2023', 'Oral Oncology')
    """
    return _PRESENTATION.sub("", text)


@functools.lru_cache(maxsize=2**16)  # ftfy on each of 100k papers, with a few thousand venues among them
def normalize_venue(text: str) -> str:
    """Return the venue as written, tidied: whitespace folded, trailing dots and a presentation
    label ("Oral", "Spotlight": ``drop_presentation``) dropped, any casing of "arxiv" spelled
    ``arXiv``, and so Semantic Scholar's "arXiv.org" too (it is the list's "arxiv"). Editorial
    renaming belongs to the curation file.

    >>> normalize_venue(" arxiv "), normalize_venue("GRSL."), normalize_venue("arXiv.org")
    ('arXiv', 'GRSL', 'arXiv')
    >>> normalize_venue("ICLR (Spotlight)"), normalize_venue("BMVC spotlight")
    ('ICLR', 'BMVC')
    """
    venue = " ".join(drop_presentation(ftfy.fix_text(text)).split()).rstrip(". ").strip()
    return re.sub(r"\barxiv(?:\.org)?\b", "arXiv", venue, flags=re.IGNORECASE)


_CONFERENCE = re.compile(
    # Semantic Scholar names some conferences without the word: "Computer Vision and Pattern
    # Recognition" (CVPR), "Neural Information Processing Systems", "ACM Multimedia"
    r"conference|proceedings|workshop|symposium|computer vision and pattern recognition|"
    r"neural information processing systems|acm multimedia|annual meeting of the association|"
    r"empirical methods in natural language processing|\b(?:cvprw?|iccv|eccv|wacv|accv|neurips|nips|"
    r"iclr|icml|aaai|ijcai|acl|emnlp|naacl|acm ?mm|acmmm|igarss|jurse|icassp|icip|bmvc|ecml|"
    r"dicta|icece|cits)\b",
    re.IGNORECASE,
)
_JOURNAL = re.compile(
    r"journal|transactions|letters|magazine|remote sensing|sciences|\bieee access\b|"
    r"knowledge-based systems|\b(?:tgrs|grsl|j-?stars|jstarg|ijrs|tpami|ijcv|isprs|"
    r"int j|j syst)\b",
    re.IGNORECASE,
)

VenueKind = Literal["preprint", "conference", "journal"]


def venue_kind(venue: str | None) -> VenueKind | None:
    """Return what a venue is, from its text alone: a preprint server (arXiv), a conference
    (workshop, symposium, a known acronym), a journal, or ``None`` when the text does not say.

    The RDF's FaBiO type and the reference-manager entry types (BibTeX ``@inproceedings``, RIS
    ``CPAPER``, CSL ``paper-conference``) read the same answer.

    >>> venue_kind("arXiv.org"), venue_kind("CVPR 2024"), venue_kind("IEEE TGRS"), venue_kind("Nature")
    ('preprint', 'conference', 'journal', None)
    """
    if not venue:
        return None
    if "arxiv" in venue.lower():
        return "preprint"
    if _CONFERENCE.search(venue):
        return "conference"
    if _JOURNAL.search(venue):
        return "journal"
    return None


#: words naming a venue's publisher or society before its name ("IEEE TGRS", "ISPRS JPRS"): the
#: venue is the same with or without them
VENUE_PUBLISHERS = frozenset({"ieee", "acm", "isprs", "spie", "iet", "mdpi", "elsevier",
                              "springer"})
_YEAR_WORD = re.compile(r"(?:19|20)\d\d")
_TRAILING_YEAR = re.compile(r"(?<=\D)(?:19|20)\d\d$")


@functools.lru_cache(maxsize=2**12)
def venue_words(name: str) -> tuple[str, ...]:
    """Return the words of a venue as two spellings of it share them: ``normalize_title``'s words
    of the tidied venue (``normalize_venue``; case folded, punctuation dropped, letters of every
    script kept: 遥感学报 is a word, not nothing), without a leading publisher
    (``VENUE_PUBLISHERS``) or a trailing year, glued on or not, when something is left besides.

    >>> venue_words("IEEE TGRS"), venue_words("CVPR 2023"), venue_words("ICLR2024"), venue_words("J-STARS")
    (('tgrs',), ('cvpr',), ('iclr',), ('j', 'stars'))
    >>> venue_words("武汉大学学报 (信息科学版)"), venue_words("arXiv.org")
    (('武汉大学学报', '信息科学版'), ('arxiv',))
    """
    words = normalize_title(normalize_venue(name)).split()
    if len(words) > 1 and words[0] in VENUE_PUBLISHERS:
        words.pop(0)
    if len(words) > 1 and _YEAR_WORD.fullmatch(words[-1]):
        words.pop()
    if words and (glued := _TRAILING_YEAR.sub("", words[-1])) != words[-1]:
        words[-1] = glued
    return tuple(words)


def venue_key(name: str) -> str:
    """Return the key two spellings of one venue share: its ``venue_words`` run together, so case,
    punctuation, spacing, a publisher and a year do not tell venues apart, and every script's
    letters do. ``Curation.canonical_venue`` looks venue aliases up by it, and lint groups the
    list's venue spellings by it.

    >>> venue_key("IEEE TGRS") == venue_key("tgrs.") == venue_key("TGRS 2021"), venue_key("JSTARS") == venue_key("J-STARS")
    (True, True)
    >>> venue_key("遥感学报") == venue_key("测绘学报"), venue_key("IEEE MGRS") == venue_key("IEEE TGRS")
    (False, False)
    """
    return "".join(venue_words(name))
