"""Pure functions over identifiers: arXiv ids, DOIs, ids hidden in publisher URLs, slugs, node ids.

Nothing here touches the network or the file system, so the graph's node ids (see
``docs/ARCHITECTURE.md``) depend only on what the curated list says.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

import ftfy
from rapidfuzz.distance import Levenshtein

from .errors import IdentifierError
from .models import PaperIds

__all__ = [
    "slugify",
    "name_key",
    "name_hash",
    "NodeNames",
    "is_s2_paper_id",
    "normalize_arxiv_id",
    "arxiv_version",
    "normalize_doi",
    "ids_from_url",
    "canonical_url",
    "paper_node_id",
    "outside_paper_node_id",
    "dataset_node_id",
    "task_node_id",
    "venue_node_id",
    "code_node_id",
    "author_node_id",
    "list_node_id",
    "normalize_title",
    "title_similarity",
    "MDPI_JOURNAL_CODES",
    "PAPER_PAGES",
    "paper_page",
    "PAPER_HOSTS",
    "is_paper_url",
    "CODE_HOSTS",
    "is_code_url",
    "link_kind",
]

#: the public page of a paper by each identifier, keyed by the node attribute holding it
PAPER_PAGES = {
    "arxiv_id": "https://arxiv.org/abs/{}",
    "doi": "https://doi.org/{}",
    "s2_id": "https://www.semanticscholar.org/paper/{}",
    "ieee_id": "https://ieeexplore.ieee.org/document/{}",
    "pii": "https://www.sciencedirect.com/science/article/pii/{}",
}


def paper_page(kind: str, value: str) -> str:
    """Return the page of a paper by one identifier (``kind`` is a key of ``PAPER_PAGES``).

    >>> paper_page("arxiv_id", "2305.05726")
    'https://arxiv.org/abs/2305.05726'
    """
    return PAPER_PAGES[kind].format(value)


# New-style ids (since 2007): YYMM.NNNN or YYMM.NNNNN; old style: archive(.SUBJECT)/YYMMNNN.
_ARXIV_NEW = re.compile(r"(?P<id>\d{4}\.\d{4,5})(?:v(?P<version>\d+))?")
_ARXIV_OLD = re.compile(r"(?P<id>[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v(?P<version>\d+))?")
_ARXIV_HOSTS = frozenset({"arxiv.org", "export.arxiv.org"})
#: Hugging Face's paper pages are keyed by the arXiv id: hf.co/papers/2511.15658
_HF_HOSTS = frozenset({"huggingface.co", "hf.co"})
_HF_PAPER = re.compile(r"^/papers/(?P<id>\d{4}\.\d{4,5})(?:v\d+)?/?$")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/",
                 "doi.org/", "dx.doi.org/", "doi:")
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org"})
# Publishers whose article pages are /doi/[abs|full|pdf|epdf/]<DOI>.
_DOI_PATH_HOSTS = frozenset({"dl.acm.org", "tandfonline.com", "onlinelibrary.wiley.com"})
_DOI_PATH = re.compile(r"^/doi/(?:(?:abs|full|pdf|epdf|book)/)?(?P<doi>10\.\d{4,9}/.+)$")
_IEEE_PATH = re.compile(r"^/(?:abstract/)?document/(?P<number>\d+)(?:/|$)")
_PII = re.compile(r"^[SB][0-9]{15}[0-9X]$")
_S2_ID = re.compile(r"[0-9a-f]{40}")
_MDPI_PATH = re.compile(
    r"^/(?P<issn>\d{4}-\d{3}[\dX])/(?P<volume>\d+)/(?P<issue>\d+)/(?P<article>\d+)(?:/|$)")

#: MDPI journal ISSN → the journal code its DOIs start with
#: (``10.3390/<code><volume><issue><article>``). Only journals whose code is certain are
#: listed; an article URL of any other ISSN gives no DOI.
MDPI_JOURNAL_CODES: dict[str, str] = {
    "2072-4292": "rs",  # Remote Sensing
    "2076-3417": "app",  # Applied Sciences
    "1424-8220": "s",  # Sensors
    "2220-9964": "ijgi",  # ISPRS International Journal of Geo-Information
    "2079-9292": "electronics",  # Electronics
    "2504-446X": "drones",  # Drones
}


def slugify(text: str) -> str:
    """Return the slug of `text`: letters, marks and digits of every script, runs of anything
    else as ``-``; NFKC, case-folded, accents of Latin letters dropped.

    Latin accents go so that the ids of names written with and without them stay those they
    always were (``Caféine`` → ``cafeine``); other scripts keep their marks, which spell their
    words (Devanagari vowel signs, Japanese voicing marks). Text with no letter or digit at all
    (emoji, punctuation) gives ``""``: the node id functions add a hash for it.

    Examples
    --------
    >>> slugify("Word–Sentence Framework for Remote Sensing Image Captioning")
    'word-sentence-framework-for-remote-sensing-image-captioning'
    >>> slugify("  UC Merced Land-Use(UCM) ")
    'uc-merced-land-use-ucm'
    >>> slugify("武汉大学学报 (信息科学版)"), slugify("Ελληνικά Γράμματα")
    ('武汉大学学报-信息科学版', 'ελληνικά-γράμματα')
    """
    # NFKD after case folding puts each accent after its letter, where it can be told apart
    # from a mark a script needs; NFKC at the end composes what is left (が, Hangul syllables).
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    kept: list[str] = []
    for ch in decomposed:
        category = unicodedata.category(ch)[0]
        if category == "M":
            # a mark on an ASCII letter is a Latin accent; on nothing (text start, after a
            # separator) it marks nothing
            if kept and kept[-1] != "-" and not kept[-1].isascii():
                kept.append(ch)
        elif category in "LN":
            kept.append(ch)
        elif kept and kept[-1] != "-":
            kept.append("-")
    return unicodedata.normalize("NFKC", "".join(kept)).strip("-")


#: hex digits of SHA-256 in a node id's hash; doubled until two names no longer share one
_HASH_DIGITS = 8
#: between a slug and its hash; a slug never holds two "-" in a row, so the forms never meet
_HASH_SEPARATOR = "--"


def name_key(name: str) -> str:
    """Return the form of a name two spellings share when they are the same name (NFC,
    whitespace folded): what node ids must tell apart.

    >>> name_key(" IEEE  Access "), name_key("Cafe\u0301") == name_key("Café")
    ('IEEE Access', True)
    """
    return " ".join(unicodedata.normalize("NFC", name).split())


def name_hash(name: str, digits: int = _HASH_DIGITS) -> str:
    """Return ``--`` and the first `digits` hex digits of the SHA-256 of the name's key.

    >>> name_hash("🛰️")
    '--1a0eb4fc'
    """
    return _HASH_SEPARATOR + hashlib.sha256(name_key(name).encode()).hexdigest()[:digits]


def _node_slug(name: str) -> str:
    """The slug of a name for a node id; a hash when it has no letter or digit to slug."""
    return slugify(name) or name_hash(name)


class NodeNames:
    """The node ids of named things (venues, tasks, datasets, authors) within one graph.

    A slug folds case and punctuation, so two different names can share one (``IEEE Access``
    and ``IEEE access``). The first name claiming an id keeps it unchanged, so ids of names
    that share their slug with no other stay readable and stable; each later different name
    gets its slug plus a short hash of itself. The same name always gets the same id.

    >>> names = NodeNames()
    >>> names.claim("venue:ieee-access", "IEEE Access"), names.claim("venue:ieee-access", "IEEE access")
    ('venue:ieee-access', 'venue:ieee-access--384cd7d3')
    >>> names.claim("venue:ieee-access", "IEEE  Access")
    'venue:ieee-access'
    """

    def __init__(self) -> None:
        self._owner: dict[str, str] = {}  # node id -> name key
        self._ids: dict[tuple[str, str], str] = {}  # (node id asked, name key) -> node id given

    def claim(self, node: str, name: str) -> str:
        """Return the id for `name`, whose plain id is `node` (from a ``*_node_id`` function)."""
        key = name_key(name)
        if (node, key) in self._ids:
            return self._ids[(node, key)]
        given, digits = node, _HASH_DIGITS
        while self._owner.setdefault(given, key) != key:
            given, digits = f"{node.split(_HASH_SEPARATOR)[0]}{name_hash(name, digits)}", digits * 2
        self._ids[(node, key)] = given
        return given


def _arxiv_match(text: str) -> re.Match[str]:
    candidate = text.strip()
    if "://" in candidate or candidate.lower().startswith(("arxiv.org/", "www.arxiv.org/",
                                                           "export.arxiv.org/")):
        split = _split(candidate if "://" in candidate else f"https://{candidate}")
        path = re.sub(r"\.pdf$", "", split[0].path.rstrip("/")) if split else ""
        if split is None or split[1] not in _ARXIV_HOSTS or not re.match(r"^/(?:abs|pdf|html)/",
                                                                        path):
            raise IdentifierError(f"{text!r} is not an arXiv abs/pdf/html URL")
        candidate = path.split("/", 2)[2]
    elif candidate[:6].lower() == "arxiv:":
        candidate = candidate[6:].strip()
    match = _ARXIV_NEW.fullmatch(candidate) or _ARXIV_OLD.fullmatch(candidate)
    if match is None:
        raise IdentifierError(
            f"{text!r} is not an arXiv identifier (expected e.g. 2305.05726, arXiv:2305.05726v2 "
            "or astro-ph/0601001)"
        )
    return match


def normalize_arxiv_id(text: str) -> str:
    """Return the arXiv identifier in `text` without its version.

    Parameters
    ----------
    text : str
        A bare id (``2305.05726``, ``2305.05726v2``, ``astro-ph/0601001``), an ``arXiv:`` id, or
        an ``arxiv.org/abs/…``, ``arxiv.org/pdf/…`` or ``arxiv.org/html/…`` URL.

    Raises
    ------
    IdentifierError
        If `text` holds no arXiv identifier.

    Examples
    --------
    >>> normalize_arxiv_id("https://arxiv.org/pdf/2305.05726v2.pdf")
    '2305.05726'
    >>> normalize_arxiv_id("arXiv:astro-ph/0601001v1")
    'astro-ph/0601001'
    """
    return _arxiv_match(text).group("id")


def arxiv_version(text: str) -> int | None:
    """Return the version number of the arXiv id in `text`, or ``None`` if it names none.

    Raises ``IdentifierError`` as ``normalize_arxiv_id`` does.

    >>> arxiv_version("2305.05726v2"), arxiv_version("2305.05726")
    (2, None)
    """
    version = _arxiv_match(text).group("version")
    return int(version) if version is not None else None


def normalize_doi(text: str) -> str:
    """Return the DOI in `text`, lower case, without ``https://doi.org/`` or ``doi:`` prefix.

    DOIs are case-insensitive by definition, so lower case is their comparable form.

    Raises
    ------
    IdentifierError
        If `text` is not a DOI (``10.<registrant>/<suffix>``).

    Examples
    --------
    >>> normalize_doi("https://doi.org/10.3390/RS11060612")
    '10.3390/rs11060612'
    >>> normalize_doi("doi: 10.1145/3503161.3548316")
    '10.1145/3503161.3548316'
    """
    candidate = text.strip()
    for prefix in _DOI_PREFIXES:
        if candidate.lower().startswith(prefix):
            candidate = unquote(candidate[len(prefix):]).strip()
            break
    if not _DOI.fullmatch(candidate):
        raise IdentifierError(f"{text!r} is not a DOI (expected e.g. 10.3390/rs11060612)")
    return candidate.lower()


def _split(url: str) -> tuple[SplitResult, str] | None:
    """Return the parts of `url` and its host (lower case, no ``www.``, with any port), or
    ``None`` for text urllib cannot split (a bad IPv6 literal or port)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    return parts, f"{host}:{port}" if port is not None else host


def _mdpi_doi(path: str) -> str | None:
    match = _MDPI_PATH.match(path)
    if match is None:
        return None
    code = MDPI_JOURNAL_CODES.get(match["issn"].upper())
    if code is None:
        return None
    # MDPI DOIs: journal code, volume as is, issue on 2 digits, article number on 4 digits.
    volume, issue, article = int(match["volume"]), int(match["issue"]), int(match["article"])
    return f"10.3390/{code}{volume}{issue:02d}{article:04d}"


#: hosts of publishers and archives whose pages are papers (a link to one of them is a paper link,
#: whatever its text): arXiv, DOI, IEEE Xplore, MDPI, ACM, ScienceDirect, CVF, Springer, Taylor &
#: Francis, and the proceedings and review sites lists of the field link to
PAPER_HOSTS = frozenset({
    "arxiv.org", "export.arxiv.org", "doi.org", "dx.doi.org", "ieeexplore.ieee.org", "mdpi.com",
    "dl.acm.org", "sciencedirect.com", "openaccess.thecvf.com", "link.springer.com",
    "tandfonline.com", "openreview.net", "proceedings.neurips.cc", "papers.nips.cc",
    "ojs.aaai.org", "aclanthology.org", "onlinelibrary.wiley.com", "nature.com",
    "isprs-archives.copernicus.org", "isprs-annals.copernicus.org", "proceedings.mlr.press",
    "ecva.net", "spj.science.org", "science.org",
})


#: hosts of source code repositories: a link there is code (or another list kept as code), never
#: a paper or a data set's own page
CODE_HOSTS = frozenset({"github.com", "gitlab.com", "gitee.com", "bitbucket.org", "codeberg.org"})


def _on_hosts(url: str, hosts: frozenset[str]) -> bool:
    """Whether `url` is an http(s) URL on one of `hosts` or a subdomain of one."""
    split = _split(url)
    if split is None or split[0].scheme not in ("http", "https"):
        return False
    host = split[1].partition(":")[0]
    return any(host == known or host.endswith("." + known) for known in hosts)


def is_paper_url(url: str) -> bool:
    """Return whether `url` is on a host of ``PAPER_HOSTS`` (or a subdomain), or an hf.co paper page.

    >>> is_paper_url("https://www.mdpi.com/2072-4292/15/9/2464"), is_paper_url("https://github.com/a")
    (True, False)
    """
    split = _split(url)
    if split is not None and split[1] in _HF_HOSTS and _HF_PAPER.match(split[0].path):
        return split[0].scheme in ("http", "https")
    return _on_hosts(url, PAPER_HOSTS)


def is_code_url(url: str) -> bool:
    """Return whether `url` is on a host of ``CODE_HOSTS`` (or a subdomain of one).

    >>> is_code_url("https://github.com/MinZHANG-WHU/Change-Detection-Review"), is_code_url("https://huggingface.co/datasets/x")
    (True, False)
    """
    return _on_hosts(url, CODE_HOSTS)


def ids_from_url(url: str) -> PaperIds:
    """Return the identifiers a paper link carries in itself.

    arXiv abs/pdf/html links give ``arxiv_id`` (no version); doi.org, ACM, Taylor & Francis and
    Wiley ``/doi/`` links and MDPI article links give ``doi``; IEEE Xplore ``document/N`` links
    give ``ieee_id``; ScienceDirect ``pii/…`` links ``pii``; Semantic Scholar paper pages give
    ``s2_paper_id``, hf.co/papers pages ``arxiv_id``. Any other link gives an empty ``PaperIds``;
    so does an MDPI link of a journal missing from ``MDPI_JOURNAL_CODES``.

    Examples
    --------
    >>> ids_from_url("https://www.mdpi.com/2072-4292/11/6/612").doi
    '10.3390/rs11060612'
    >>> ids_from_url("https://ieeexplore.ieee.org/document/10254282/keywords#keywords").ieee_id
    '10254282'
    >>> ids_from_url("https://arxiv.org/abs/2305.05726v1").arxiv_id
    '2305.05726'
    """
    split = _split(url)
    if split is None:
        return PaperIds()
    parts, host = split
    path = parts.path
    if host in _ARXIV_HOSTS:
        try:
            return PaperIds(arxiv_id=normalize_arxiv_id(url))
        except IdentifierError:
            return PaperIds()
    if host in _HF_HOSTS and (hf := _HF_PAPER.match(path)):
        return PaperIds(arxiv_id=hf["id"])
    doi: str | None = None
    if host in _DOI_HOSTS:
        doi = unquote(path.lstrip("/"))
    elif host in _DOI_PATH_HOSTS and (match := _DOI_PATH.match(path)):
        doi = unquote(match["doi"])
    elif host == "mdpi.com":
        doi = _mdpi_doi(path)
    if doi is not None:
        try:
            return PaperIds(doi=normalize_doi(doi))
        except IdentifierError:
            return PaperIds()
    if host == "ieeexplore.ieee.org":
        if match := _IEEE_PATH.match(path):
            return PaperIds(ieee_id=match["number"])
        number = parse_qs(parts.query).get("arnumber", [""])[0]
        return PaperIds(ieee_id=number) if number.isdigit() else PaperIds()
    if host in ("sciencedirect.com", "linkinghub.elsevier.com") and "/pii/" in path:
        pii = path.split("/pii/", 1)[1].split("/", 1)[0].upper()
        return PaperIds(pii=pii) if _PII.match(pii) else PaperIds()
    if host in ("semanticscholar.org", "api.semanticscholar.org"):
        last = path.rstrip("/").rsplit("/", 1)[-1].lower()
        return PaperIds(s2_paper_id=last) if is_s2_paper_id(last) else PaperIds()
    return PaperIds()


def canonical_url(url: str) -> str:
    """Return `url` in the form used to compare links.

    Scheme, ``www.``, a trailing slash and the fragment are dropped and the host is lower-cased;
    IEEE Xplore document pages become ``ieeexplore.ieee.org/document/N`` and arXiv abs/pdf/version
    links become ``arxiv.org/abs/ID``. The query is kept: for download links it is the key.

    Examples
    --------
    >>> canonical_url("https://ieeexplore.ieee.org/abstract/document/7546397/")
    'ieeexplore.ieee.org/document/7546397'
    >>> canonical_url("http://www.arxiv.org/pdf/2305.05726v2.pdf")
    'arxiv.org/abs/2305.05726'
    >>> canonical_url("https://GitHub.com/Lavender105/RSGPT/#readme")
    'github.com/Lavender105/RSGPT'
    """
    split = _split(url)
    if split is None:
        return url.strip()
    parts, host = split
    ids = ids_from_url(url)
    if host in _ARXIV_HOSTS and ids.arxiv_id:
        return f"arxiv.org/abs/{ids.arxiv_id}"
    if host == "ieeexplore.ieee.org" and ids.ieee_id:
        return f"ieeexplore.ieee.org/document/{ids.ieee_id}"
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"


def paper_node_id(ids: PaperIds, title: str) -> str:
    """Return the node id of a list paper: the first of its DOI, arXiv, IEEE, PII, S2 ids, else
    its title slug.

    A title with no letter or digit (emoji only) gets a hash of itself instead of a slug.

    Examples
    --------
    >>> paper_node_id(PaperIds(arxiv_id="2305.05726"), "Vision-Language Models in Remote Sensing")
    'paper:arxiv:2305.05726'
    >>> paper_node_id(PaperIds(), "RemoteGLM")
    'paper:title:remoteglm'
    """
    for prefix, value in (("doi", ids.doi), ("arxiv", ids.arxiv_id), ("ieee", ids.ieee_id),
                          ("pii", ids.pii), ("s2", ids.s2_paper_id)):
        if value:
            return f"paper:{prefix}:{value}"
    return f"paper:title:{_node_slug(title)}"


def outside_paper_node_id(s2_paper_id: str) -> str:
    """Return ``paper:s2:<id>`` for a Semantic Scholar paper id (40 hex digits).

    >>> outside_paper_node_id("0123456789ABCDEF0123456789abcdef01234567")
    'paper:s2:0123456789abcdef0123456789abcdef01234567'
    """
    s2_id = s2_paper_id.strip().lower()
    if not is_s2_paper_id(s2_id):
        raise IdentifierError(f"{s2_paper_id!r} is not a Semantic Scholar paper id (40 hex digits)")
    return f"paper:s2:{s2_id}"


def is_s2_paper_id(text: object) -> bool:
    """Return whether ``text`` is a Semantic Scholar paper id: 40 lower-case hex digits.

    Anything else (``None``, a number an API sent) is not.

    >>> is_s2_paper_id("0123456789abcdef0123456789abcdef01234567"), is_s2_paper_id("CorpusId:1")
    (True, False)
    >>> is_s2_paper_id(None)
    False
    """
    return isinstance(text, str) and _S2_ID.fullmatch(text) is not None


def dataset_node_id(name: str) -> str:
    """Return ``dataset:<slug>``; pass the canonical name (``Curation.canonical_dataset``).

    >>> dataset_node_id("NWPU-RESISC45")
    'dataset:nwpu-resisc45'
    """
    return f"dataset:{_node_slug(name)}"


def task_node_id(name: str) -> str:
    """Return ``task:<slug>``.

    >>> task_node_id("Image Captioning")
    'task:image-captioning'
    """
    return f"task:{_node_slug(name)}"


def venue_node_id(name: str) -> str:
    """Return ``venue:<slug>``; pass the canonical venue (``Curation.canonical_venue``).

    >>> venue_node_id("TGRS")
    'venue:tgrs'
    """
    return f"venue:{_node_slug(name)}"


def code_node_id(url: str) -> str:
    """Return ``code:<host/path>``, lower case, without scheme, ``www.``, query or trailing slash.

    >>> code_node_id("https://github.com/Lavender105/RSGPT/")
    'code:github.com/lavender105/rsgpt'
    """
    split = _split(url)
    if split is None or not split[1]:
        raise IdentifierError(f"{url!r} is not an absolute URL; a code link needs a host")
    parts, host = split
    return f"code:{host}{parts.path.rstrip('/')}".lower()


def author_node_id(s2_author_id: str | None, name: str) -> str:
    """Return ``author:<S2 author id>``, or ``author:name:<slug>`` when S2 gave no id.

    >>> author_node_id("1741101", "Jane Doe"), author_node_id(None, "Jane Doe")
    ('author:1741101', 'author:name:jane-doe')
    """
    if s2_author_id and s2_author_id.strip():
        return f"author:{s2_author_id.strip()}"
    return f"author:name:{_node_slug(name)}"


def list_node_id(title: str) -> str:
    """Return ``list:<slug of the list title>``.

    >>> list_node_id("Awesome remote sensing vision language models")
    'list:awesome-remote-sensing-vision-language-models'
    """
    return f"list:{_node_slug(title)}"


@functools.lru_cache(maxsize=2**16)  # a title is compared several times a build (curation, history, discovery)
def normalize_title(title: str) -> str:
    """Return `title` in the form used to compare titles.

    Mojibake is repaired (ftfy), compatibility characters folded (NFKC), case folded, and every
    run of punctuation, symbols and whitespace becomes one space.

    >>> normalize_title("Word\u00e2\u20ac\u201cSentence  Framework: for RS.")
    'word sentence framework for rs'
    """
    text = unicodedata.normalize("NFKC", ftfy.fix_text(title)).casefold()
    folded = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text)
    return " ".join(folded.split())


def title_similarity(a: str, b: str) -> float:
    """Return the similarity of two titles, 0 (unrelated) to 100 (equal once normalised).

    The normalised Levenshtein similarity of the normalised titles: a typo or a lost last letter
    costs little, while two titles sharing only the field's vocabulary ("… for remote sensing
    image captioning") stay apart. rapidfuzz's ``fuzz.ratio`` (Indel distance) scored distinct
    captioning papers of the list above 80; partial and token-set ratios score a short title inside
    a long one as a perfect match.

    >>> title_similarity("Truncation cross entropy loss for remote sensing image captionin",
    ...                  "Truncation Cross Entropy Loss for Remote Sensing Image Captioning") > 95
    True
    """
    return 100.0 * Levenshtein.normalized_similarity(normalize_title(a), normalize_title(b))


def link_kind(url: str) -> str | None:
    """Which of ``paper_link``'s pages ``url`` is on: ``"arxiv_id"`` (any arXiv link), ``"doi"``
    (a doi.org link) or ``"s2_id"`` (a Semantic Scholar paper page), else ``None``.

    >>> link_kind("https://arxiv.org/pdf/2405.13570"), link_kind("https://doi.org/10.1109/x")
    ('arxiv_id', 'doi')
    >>> link_kind("https://www.mdpi.com/2072-4292/11/6/612") is None
    True
    """
    split = _split(url)
    host = split[1] if split else ""
    ids = ids_from_url(url)
    if ids.arxiv_id:
        return "arxiv_id"
    if ids.doi and host in _DOI_HOSTS:
        return "doi"
    return "s2_id" if ids.s2_paper_id and host == "semanticscholar.org" else None


def paper_link(arxiv_id: str | None, doi: str | None, s2_id: str | None, fallback: str) -> str:
    """The page to link a paper by: arXiv's, else the DOI's, else Semantic Scholar's."""
    ids = (("arxiv_id", arxiv_id), ("doi", doi), ("s2_id", s2_id))
    return next((paper_page(kind, value) for kind, value in ids if value), fallback)
