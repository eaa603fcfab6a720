"""Which text of a list line is an entry's title, and what is a label, a date or a venue.

A list line offers several texts that could name its entry: a link's text, bold text, a title,
paper or name column, the next indented line, the heading above. Many are not titles: a link
labelled ``[arXiv]``, ``[📄 Paper]`` or ``[T-GRS]``, a citation count ``[9]``, a date
``2023/12/20``, a venue and year ``TGRS 2022``. ``choose_title`` takes the candidates in the
order the line offers them and picks the first that is a title, with a trailing venue/year tail
(``Segment any change. NeurIPS2024.``) split off into the entry's venue and year. Titles are kept
as written otherwise: the normalised form (``identifiers.normalize_title``) is only a key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..venue_names import drop_presentation, normalize_venue, venue_key
from .inline import fold_text, has_text

__all__ = ["LINK_ROLES", "Title", "link_role", "short_name", "is_label", "not_a_title",
           "split_tail", "split_venue_year", "venue_year", "prefix_length", "heading_title",
           "choose_title", "is_date", "SEPARATORS"]

# Words of a line's secondary links ("[[code]](…)", "[📄 Paper](…)", "[**主页**](…)"), by role.
LINK_ROLES = {
    **dict.fromkeys(("paper", "pdf", "arxiv", "abs", "doi", "ieee", "ieee xplore", "openreview",
                     "paper link", "full paper", "preprint", "article", "publication", "mdpi",
                     "springer", "elsevier", "sciencedirect", "wiley", "acm", "cvf", "hal",
                     "researchgate", "semantic scholar", "google scholar", "论文", "文章"),
                    "paper"),
    **dict.fromkeys(("code", "github", "project", "project page", "repo", "repository",
                     "gitlab", "gitee", "source code", "official code", "代码", "项目",
                     "项目主页"), "code"),
    **dict.fromkeys(("home", "homepage", "website", "site", "web", "page", "webpage", "demo",
                     "model", "models", "huggingface", "hugging face", "hf", "weights",
                     "checkpoint", "checkpoints", "blog", "video", "slides", "poster", "supp",
                     "supplementary", "bibtex", "bib", "citation", "主页", "网站"), "home"),
    **dict.fromkeys(("data", "download", "dataset", "datasets", "数据", "数据集", "下载"),
                    "download"),
}
# Venues and publishers a link may be labelled with ("[T-GRS](…)", "[CVPR](…)"), by venue_key:
# a label, never a title. Longer venue names are told apart by their year (``venue_year``).
_VENUE_KEYS = frozenset(venue_key(v) for v in (
    "TGRS", "TIP", "TPAMI", "PAMI", "TMM", "TCSVT", "TNNLS", "TCYB", "TITS", "TGRS", "JSTARS",
    "JSTAR", "GRSL", "LGRS", "GRSM", "MGRS", "ISPRS", "JPRS", "ISPRS JPRS", "P&RS", "RSE", "JAG",
    "IJAG", "Remote Sensing", "RS", "Sensors", "Applied Sciences", "CVPR", "CVPRW", "ICCV",
    "ICCVW", "ECCV", "ECCVW", "NeurIPS", "NIPS", "ICLR", "ICML", "AAAI", "IJCAI", "ACM MM",
    "ACMMM", "MM", "WACV", "BMVC", "ICASSP", "ICIP", "ICME", "IGARSS", "ACCV", "KDD", "ACL",
    "EMNLP", "NAACL", "COLING", "IJCV", "TOMM", "Nature", "Science", "arXiv", "IEEE Access",
    "Access", "TGARS", "GRS", "ESSD"))
# words only a venue's name holds ("IEEE Transactions on …", "CVPR Workshops")
_VENUE_WORDS = re.compile(r"\b(?:conference|journal|transactions|proceedings|workshops?|letters|"
                          r"magazine|symposium|trans|annals|advances in)\b", re.IGNORECASE)
# a venue is at most six words (41 letters when it may be a whole title), or fourteen where
# the list writes a venue and they say it is one ("IEEE Transactions on Geoscience and Remote
# Sensing", "International Journal of Applied Earth Observation and Geoinformation")
_VENUE_SIZE, _VENUE_LETTERS, _NAMED_VENUE_SIZE = 6, 41, 14
_NAMED_LABEL = re.compile(r"(?P<name>[^()\[\]]{1,40}?)\s*[(\[](?P<label>[^()\[\]]+)[)\]]")
_LABEL_NOISE = re.compile(r"[^\w\s/&-]+")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_VENUE_YEAR = re.compile(r"(?P<venue>.*?)[\s,(']*(?<!\d)(?P<year>(?:19|20)\d{2})\)?\.?")
# "TGRS 2022", "[CVPR'2024]", "NeurIPS2023 (DB)": a venue and year and nothing else
_ONLY_VENUE_YEAR = re.compile(
    r"\W*(?P<venue>[^\W\d_][\w&.'’ /-]{0,120}?)?[\s,(']*(?<!\d)(?P<year>(?:19|20)\d{2})(?!\d)"
    r"(?:\s*\([^()]{1,25}\))?\W*")
_NUMBER = re.compile(r"\W*\d+(?:[.,]\d+)*\W*")
_DATE_BODY = (r"(?:(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}(?:\s*[-/.月]\s*\d{1,2}\s*日?)?"
              r"|\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*(?:19|20)\d{2}"
              r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2},?\s+)?"
              r"(?:19|20)\d{2})")
_DATE = re.compile(rf"\W*{_DATE_BODY}\W*", re.IGNORECASE)
# a venue/year tail after a separator: ". NeurIPS2024.", ", TGRS 2020", " (AAAI 2024)",
# " - PBVS 2025", ". Nature, 2023."; a year alone: ", 2023."
_TAIL_PARTS = (r"(?P<title>.*\S)\s*(?:[.,;|]\s+|[.,;|](?=[A-Z])|\s+[-–—]\s+|\s*[(\[]\s*)",
               r"\s*[,']?\s*'?(?<!\d)(?P<year>(?:19|20)\d{2})(?!\d)"
               r"\s*(?:\([^()]{1,25}\))?\s*[)\]]?\s*[.,;]?\s*")
_VENUE = r"(?P<venue>[^\W\d_][\w&.'’ /-]{0,120}?)"
_TAIL = re.compile(_TAIL_PARTS[0] + _VENUE + _TAIL_PARTS[1])
_YEAR_TAIL = re.compile(_TAIL_PARTS[0] + "(?P<venue>)" + _TAIL_PARTS[1])
# without a separator only a known venue, or an acronym glued to its year: "… TGRS 2022", "… TGRS2022"
_BARE_TAIL = re.compile(
    r"(?P<title>.*\S)\s+(?P<venue>[^\W\d_][\w&.'’-]{1,20})\s*'?(?<!\d)(?P<year>(?:19|20)\d{2})"
    r"(?!\d)\s*(?:\([^()]{1,25}\))?\s*\.?\s*")
_GLUED = re.compile(r"[A-Z][A-Za-z&-]*[A-Z]")
# what a list writes after a title that is no part of it: the sentence's closing period (not
# an ellipsis, an initial or an abbreviation's: "U.S.", "et al.", "etc."), a link's word glued
# on ("… Modeling论文", "Title (Paper)")
_CLOSING_PERIOD = re.compile(r"(?<![.\s])(?<!\b\w)(?<!\betc)(?<!\bal)(?<!\bvs)(?<!\bInc)(?<!\bLtd)"
                             r"(?<!\bCo)\.$")
_ROLE_TAIL = re.compile(r"\s*(?:[(\[（【]\s*(?P<bracketed>[^()\[\]（）【】]{1,20}?)\s*[)\]）】]"
                        r"|(?<=[^\W\u3000-\u9fff])(?P<glued>[\u3000-\u9fff]{2,4}))$")
_QUOTED = re.compile(r"[\"“](?P<title>[^\"“”]+)[\"”]\s*(?P<rest>.*)")
#: what lists write around a title: bullets' separators, brackets, quotes
SEPARATORS = " \t|-–—,:;()[]"
# Text before an entry that is no part of its title: "2024-TGRS.", "[CVPR 2024]", "(ICLR '2024)",
# "2023.", "[9]" (a citation count), "2023/12/20:", "⭐", in any order and number.
_PREFIX_PART = re.compile(
    rf"(?:(?P<date>{_DATE_BODY})\s*[:：.]?"
    r"|(?P<year1>(?:19|20)\d{2})\s*[-–]\s*(?P<venue1>[^\s.,:|\[\]()][^.:|\[\]()]{0,40}?)\s*[.:]"
    r"|[\[(](?P<venue2>[^\[\]()]*?)[\s,]*'?(?P<year2>(?:19|20)\d{2})\s*[\])]"
    r"|(?P<year3>(?:19|20)\d{2})\s*[.:](?!\d)"
    r"|[\[(]\s*\d{1,6}\s*[\])]"
    r"|[⭐🔥★☆✨🆕🎉📢]+)"
    r"[\s:：|.,–—-]*", re.IGNORECASE)
_NUMBERING = re.compile(r"\s*\d{1,4}[.)]\s+")
_HEADING_SYMBOLS = re.compile(r"^[^\w\[(\"“']+")


def _closing(text: str) -> int:
    """Where the bracket opening ``text`` closes, or -1."""
    opening, depth = text[0], 0
    closing = ")" if opening == "(" else "]"
    for i, ch in enumerate(text):
        depth += (ch == opening) - (ch == closing)
        if depth == 0:
            return i
    return -1


def _trim(text: str) -> str:
    """``text`` without the separators and brackets lists write around a title; a bracket the
    title closes itself stays: "UC Merced Land-Use(UCM)".

    >>> _trim("- [UC Merced Land-Use(UCM)] |"), _trim("(Title"), _trim("Title (AAAI)] [")
    ('UC Merced Land-Use(UCM)', 'Title', 'Title (AAAI)')
    """
    while True:
        trimmed = text.strip(" \t|-–—,:;").lstrip(")]").rstrip("([")  # "… 2019. [[pdf](…)]"
        if trimmed[:1] in ("(", "["):
            end = _closing(trimmed)
            if end in (-1, len(trimmed) - 1):  # unclosed, or wrapping the whole text
                trimmed = trimmed[1:end] if end > 0 else trimmed[1:]
        if trimmed[-1:] in (")", "]") and trimmed.count(trimmed[-1]) > trimmed.count(
                "(" if trimmed[-1] == ")" else "["):
            trimmed = trimmed[:-1]
        if trimmed == text:
            return text
        text = trimmed


@dataclass(frozen=True, slots=True)
class Title:
    """A chosen title with the venue and year its tail gave, and whether the list titles the
    entry with it (``False``: a name, such as a model name in a table keyed by model)."""

    text: str
    venue: str | None = None
    year: int | None = None
    from_list: bool = True


def _tidy(title: str) -> str:
    """``title`` without what the list writes after it (``_CLOSING_PERIOD``, ``_ROLE_TAIL``).

    >>> _tidy("A survey."), _tidy("Land cover in the U.S."), _tidy("RingMo: A model论文")
    ('A survey', 'Land cover in the U.S.', 'RingMo: A model')
    >>> _tidy("GeoChat (Paper)"), _tidy("遥感大模型论文"), _tidy("Rotation (PDF) invariance")
    ('GeoChat', '遥感大模型论文', 'Rotation (PDF) invariance')
    """
    while (tail := _ROLE_TAIL.search(title)) is not None and tail.start() > 0 and LINK_ROLES.get(
            _label_words(tail["bracketed"] or tail["glued"])):
        title = title[:tail.start()].rstrip()
    return _CLOSING_PERIOD.sub("", title)


def _label_words(text: str) -> str:
    return fold_text(_LABEL_NOISE.sub(" ", text)).casefold().strip(" -/&")


def link_role(text: str) -> str | None:
    """The role a link's text gives it (``[[code]]``, ``[📄 Paper]``, ``[EarthGPT(Paper)]``,
    ``[github(no code)]``): ``"paper"``, ``"code"``, ``"home"`` or ``"download"``, or ``None``
    for a link whose text may be a title.

    >>> link_role("📄 Paper"), link_role("**EarthGPT(Paper )**"), link_role("github(no code)")
    ('paper', 'paper', 'code')
    >>> link_role("GeoChat: Grounded Large Vision-Language Model") is None
    True
    """
    if role := LINK_ROLES.get(_label_words(text)):
        return role
    named = _NAMED_LABEL.fullmatch(text.strip(" *_"))
    if named and len(named["name"].split()) <= 3:
        return LINK_ROLES.get(_label_words(named["label"])) or LINK_ROLES.get(
            _label_words(named["name"]))
    return None


def short_name(text: str) -> str | None:
    """The name in a link labelled ``EarthGPT(Paper)``: a name, not a title."""
    named = _NAMED_LABEL.fullmatch(text.strip(" *_"))
    if named is None or not LINK_ROLES.get(_label_words(named["label"])):
        return None
    name = named["name"].strip(" *_")
    return name if has_text(name) and _label_words(name) not in LINK_ROLES else None


def _is_venue(text: str) -> bool:
    key = venue_key(text)
    return bool(key) and key in _VENUE_KEYS


def is_label(text: str) -> bool:
    """Whether ``text`` labels a link rather than naming a paper: a role word (paper, pdf, arXiv,
    code, project, page, HF…), a publisher or a venue's name (MDPI, T-GRS, CVPR).

    >>> [is_label(t) for t in ("arXiv", "T-GRS", "MDPI", "site", "HF", "SatMAE")]
    [True, True, True, True, True, False]
    """
    return link_role(text) is not None or _is_venue(text)


def _venue_sized(venue: str, placed: bool) -> bool:
    """Whether ``venue`` is no longer than a venue's name (``_VENUE_SIZE``); ``placed``: it
    stands where the list writes a venue (after a title), so it may be a long one."""
    words = len(venue.split())
    if not placed:
        return words <= _VENUE_SIZE and len(venue) <= _VENUE_LETTERS
    return words <= _VENUE_SIZE or (words <= _NAMED_VENUE_SIZE and bool(_VENUE_WORDS.search(venue)))


def is_date(text: str) -> bool:
    """``2023/12/20``, ``2025-3-18``, ``Dec 2023``, ``2024年3月``: a date, not a title."""
    return _DATE.fullmatch(text) is not None


def venue_year(text: str, any_venue: bool = False,
               named: bool = False) -> tuple[str | None, int] | None:
    """``(venue, year)`` when ``text`` is a venue and year and nothing else (``TGRS 2022``,
    ``[CVPR'2024]``, ``NeurIPS2023 (DB)``, ``2023``), else ``None``: the venue a known one, a
    venue's name ("… Conference …") or an acronym glued to the year (``PBVS2025``); "SpaceNet
    2020" and "DFC 2018" are names. With ``any_venue``, any venue of up to six words: where
    the list writes a venue (after a linked title, ``[Title](…), CITS 2016.``). With ``named``,
    the text stands where the list names things (a dataset, a Name or Model column): there an
    acronym glued to a year is a name (``HRSC2016``, ``DFC2023``), not a venue."""
    text = drop_presentation(text)  # "ICCV 2025 Oral"
    match = _ONLY_VENUE_YEAR.fullmatch(text)
    venue = (match["venue"] or "").strip() if match else ""
    glued = match is not None and text[match.end("venue"):match.start("year")] == "" if venue else False
    if match is None or not _venue_sized(venue, any_venue) or (
            venue and not any_venue and not _is_venue(venue) and not _VENUE_WORDS.search(venue)
            and not (glued and not named and _GLUED.fullmatch(venue))):
        return None
    return normalize_venue(venue) or None, int(match["year"])


def not_a_title(text: str, named: bool = False) -> str | None:
    """Why ``text`` cannot be an entry's title, or ``None`` when it can; ``named`` as for
    ``venue_year``.

    >>> [not_a_title(t) for t in ("arXiv", "9", "2023/12/20", "PBVS2025", "GeoChat")]
    ['a link label', 'a number', 'a date', 'a venue and year', None]
    >>> not_a_title("HRSC2016", named=True) is None
    True
    """
    if not has_text(text):
        return "no letter or digit"
    if is_label(text):
        return "a link label"
    if _NUMBER.fullmatch(text):
        return "a number"
    if is_date(text):
        return "a date"
    if venue_year(text, named=named) is not None:
        return "a venue and year"
    return None


def split_tail(text: str) -> tuple[str, str | None, int | None]:
    """``text`` without a trailing venue/year tail, and that venue and year.

    >>> split_tail("Segment any change. NeurIPS2024.")
    ('Segment any change', 'NeurIPS', 2024)
    >>> split_tail("SkyScript - A dataset for remote sensing (AAAI 2024)")
    ('SkyScript - A dataset for remote sensing', 'AAAI', 2024)
    >>> split_tail("Accurate weather forecasting with 3d neural networks. Nature, 2023.")
    ('Accurate weather forecasting with 3d neural networks', 'Nature', 2023)
    >>> split_tail("SpaceNet 8 Challenge 2021")
    ('SpaceNet 8 Challenge 2021', None, None)
    >>> split_tail("A model. IEEE Transactions on Geoscience and Remote Sensing, 2023.")
    ('A model', 'IEEE Transactions on Geoscience and Remote Sensing', 2023)
    >>> split_tail("A model (ICCV 2025 Oral)")
    ('A model', 'ICCV', 2025)
    """
    # a presentation label ends the tail ("(ICCV 2025 Oral)"), or a title's own words end it
    for written in dict.fromkeys((text, drop_presentation(text))):
        for pattern in (_TAIL, _YEAR_TAIL, _BARE_TAIL):
            match = pattern.fullmatch(written)
            if match is None:
                continue
            venue = (match["venue"] or "").strip()
            if pattern is _BARE_TAIL and not (_is_venue(venue) or (
                    _GLUED.fullmatch(venue) and written[match.end("venue"):][:1].isdigit())):
                continue
            title = match["title"].rstrip(" .,;:|-–—")
            if not _venue_sized(venue, placed=True) or not_a_title(title):
                continue
            return title, normalize_venue(venue) or None, int(match["year"])
    return text, None, None


def split_venue_year(text: str) -> tuple[str | None, int | None]:
    """Split a cell such as ``TGRS 2017``, ``GRSL 2022.``, ``JSTARS2022`` or ``2023`` into venue
    and year.

    The venue is tidied by ``normalize_venue``; either part is ``None`` when absent.

    >>> split_venue_year("arxiv 2023"), split_venue_year("GRSL 2022."), split_venue_year("-")
    (('arXiv', 2023), ('GRSL', 2022), (None, None))
    """
    text = text.strip()
    if text in ("", "-"):
        return None, None
    match = _VENUE_YEAR.fullmatch(text)
    if match is not None:
        return normalize_venue(match["venue"]) or None, int(match["year"])
    if found := _YEAR.search(text):  # "ICCV 2023 Workshop": the year is not last
        return normalize_venue(text[:found.start()] + text[found.end():]) or None, int(found[0])
    return normalize_venue(text) or None, None


@dataclass(frozen=True, slots=True)
class Prefix:
    """What a line says before its entry: its length, and the venue, year and date it gives."""

    length: int = 0
    venue: str | None = None
    year: int | None = None
    dated: bool = False  # a date (an announcement: "- **2023/12/20**: SkyScript …")


def prefix_length(text: str, rest: bool = True) -> Prefix:
    """The ``2024-TGRS.``, ``[CVPR 2024]``, ``[9]``, ``2023/12/20:`` … at the start of ``text``
    (none when there is none, or, with ``rest``, when nothing follows it in ``text``).

    >>> p = prefix_length("[TGRS 2022] [9] Title")
    >>> (p.length, p.venue, p.year, p.dated)
    (16, 'TGRS', 2022, False)
    """
    venue: str | None = None
    year: int | None = None
    dated = False
    start = end = len(text) - len(text.lstrip())
    while (match := _PREFIX_PART.match(text, end)) is not None and match.end() > end:
        year_text = match["year1"] or match["year2"] or match["year3"]
        if year_text and year is None:
            year = int(year_text)
            venue = normalize_venue((match["venue1"] or match["venue2"] or "").strip(" ,'")) or None
        dated = dated or bool(match["date"])
        end = match.end()
    if end == start or (rest and not text[end:].strip()):
        return Prefix()
    return Prefix(end, venue, year, dated)


def heading_title(text: str) -> Title:
    """The title a heading gives an entry: without its numbering, its ``[ICLR '2024]`` and a
    venue/year tail."""
    text = _HEADING_SYMBOLS.sub("", text)  # "🚀 Title"
    text = text[m.end():] if (m := _NUMBERING.match(text)) else text
    found = prefix_length(text)
    title, venue, year = split_tail(text[found.length:].strip())
    return Title(title, found.venue or venue, found.year or year)


def choose_title(candidates: Iterable[tuple[str | None, bool]],
                 named: bool = False) -> Title | None:
    """The first candidate that is a title, with its venue/year tail split off.

    Candidates are ``(text, from_list)`` in the order the line offers them; ``from_list`` is
    ``False`` for a name (a model name, the ``EarthGPT`` of ``[EarthGPT(Paper)]``). Text in
    quotes (citation style) is taken from inside them. ``named`` as for ``venue_year``.

    >>> choose_title([("arXiv", True), ("9", True), ("SatMAE", False)])
    Title(text='SatMAE', venue=None, year=None, from_list=False)
    >>> choose_title([('"Remote sensing change detection." ECCV 2024', True)])
    Title(text='Remote sensing change detection', venue='ECCV', year=2024, from_list=True)
    """
    for text, from_list in candidates:
        if not text:
            continue
        text = _trim(fold_text(text))
        venue: str | None = None
        year: int | None = None
        quoted = _QUOTED.fullmatch(text)
        rest = quoted["rest"].strip(SEPARATORS + ".") if quoted else ""
        found = venue_year(rest, any_venue=True) if rest else None
        if quoted and (found or not rest):
            # citation style puts the title's closing period or comma inside the quotes
            text = quoted["title"].rstrip(".,").strip()
            venue, year = found if found else (None, None)
        else:
            text, venue, year = split_tail(text)
        text = _tidy(text)
        if not_a_title(text, named) is None:
            return Title(text, venue, year, from_list)
    return None
