"""SYNTHETIC corpus served by the fake Semantic Scholar / arXiv server. Nothing here is real.

Every paper, author, DOI (under the ``10.5555`` test prefix unless a list entry gives one),
arXiv record, citation and embedding is generated from a seed, so the same seed always gives the
same corpus. Records are kept in Semantic Scholar's wire shape (the JSON a ``GET /paper/{id}``
returns with every field asked for); the server filters them by the ``fields`` parameter.

``make_corpus`` builds a small free-standing corpus; ``corpus_for_list`` builds one synthetic S2
paper per paper row of a parsed ``ListDocument`` (same arXiv id / DOI, the same or a slightly
altered title), plus outside papers citing and cited by them.

``scripts=True`` (either builder) gives the corpus what real records have and the ASCII default
lacks, on the same papers and edges: author names and venues in CJK, Arabic, Cyrillic, Greek,
accented Latin (composed and decomposed), emoji and mixed scripts, some outside titles in Chinese,
arXiv author names with UTF-8 read as Latin-1 (mojibake, as arXiv feeds have), and the nulls the
real API sends (``authorId`` null, ``venue`` ``""``, ``abstract`` null, ``year`` null).
:func:`real_venue_fields` gives the ``journal`` / ``publicationVenue`` the server serves with
``Realism.venues``; ``Corpus.citation_count_override`` makes a paper claim more citations than it
has edges (a citation list longer than the API pages).
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from rsvlm_graph.models import ListDocument

__all__ = [
    "Edge",
    "Corpus",
    "make_corpus",
    "corpus_for_list",
    "synthetic_paper_id",
    "real_venue_fields",
    "EMBEDDING_DIM",
    "MATCH_THRESHOLD",
]

#: SPECTER v2 vectors have 768 dimensions
EMBEDDING_DIM = 768
#: normalised-title similarity (0..100) below which the fake's title match answers 404
MATCH_THRESHOLD = 80.0

_WORDS_A = ("Remote", "Geospatial", "Aerial", "Satellite", "Earth", "Multispectral", "Optical")
_WORDS_B = ("Vision-Language", "Multimodal", "Contrastive", "Instruction-Tuned", "Foundation")
_WORDS_C = ("Captioning", "Retrieval", "Grounding", "Question Answering", "Segmentation",
            "Change Detection", "Scene Classification", "Object Detection")
_FIRST = ("Ada", "Bo", "Chen", "Dara", "Eli", "Fei", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea")
_LAST = ("Synthia", "Fakeman", "Mockwell", "Stubbs", "Placeholder", "Dummer", "Testa", "Sample")
_VENUES = ("IEEE Transactions on Geoscience and Remote Sensing", "Remote Sensing",
           "Computer Vision and Pattern Recognition", "arXiv.org", "ISPRS Journal", "")
#: SYNTHETIC author names in other scripts (surnames and given names that say "test" or "sample"
#: where the script allows), for ``scripts=True``
_SCRIPT_NAMES = (
    "李测试", "王样本", "陈 Placeholder", "山田テスト", "김테스트", "محمد التجريبي",
    "Иван Тестов", "Γιώργος Δοκιμαστικός", "José Núñez Fakeman", "Zoë Ångström-Stubbs",
    "Ays\u0327e Testa",  # decomposed: c + combining cedilla
    "M. Al\u2010Sample",  # U+2010 hyphen, as real S2 names have it
    "🛰️", "Dara 🦊 Mockwell",
)
#: venues in other scripts; "遥感学报" / "遥感學報" differ only in simplified/traditional form
_SCRIPT_VENUES = (
    "遥感学报", "遥感學報", "武汉大学学报 (信息科学版)", "写真測量とリモートセンシング",
    "대한원격탐사학회지", "المجلة العلمیة للإقتصاد و التجارة", "Исследование Земли из космоса",
    "Γεωγραφίες", "Revista de Teledetección", "Photogramme\u0301trie", "🛰️🌍",
    "IEEE 遥感 Letters", "",
)
_SCRIPT_TITLE_WORDS = ("遥感", "视觉语言模型", "多模态", "图像描述", "变化检测", "目标检测")
_CATEGORIES = ("cs.CV", "cs.CL", "cs.LG", "eess.IV", "cs.AI")
_INTENTS = ("background", "methodology", "result")


def synthetic_paper_id(seed: int, key: str) -> str:
    """A 40-hex id, like Semantic Scholar's, derived from ``seed`` and ``key``.

    >>> len(synthetic_paper_id(0, "x")), synthetic_paper_id(0, "x") == synthetic_paper_id(0, "x")
    (40, True)
    """
    return hashlib.sha1(f"SYNTHETIC:{seed}:{key}".encode()).hexdigest()


def _norm_title(title: str) -> str:
    """Casefolded words without accents; letters of every script are kept."""
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


@dataclass
class Edge:
    """``citing`` cites ``cited``; either side is ``None`` for a paper S2 could not resolve."""

    citing: str | None
    cited: str | None
    is_influential: bool = False
    intents: tuple[str, ...] = ()
    contexts: tuple[str, ...] = ()
    unresolved_title: str | None = None  # title of the ``None`` side


@dataclass
class Corpus:
    """SYNTHETIC papers in S2 wire shape, citation edges and arXiv records; mutable per test."""

    seed: int = 0
    papers: dict[str, dict[str, Any]] = field(default_factory=dict)  # paperId -> record
    edges: list[Edge] = field(default_factory=list)
    arxiv: dict[str, dict[str, Any]] = field(default_factory=dict)  # versionless id -> record
    aliases: dict[str, str] = field(default_factory=dict)  # merged paperId -> paperId
    core_ids: list[str] = field(default_factory=list)  # the list / core papers, in order
    embeddings: dict[str, list[float] | None] = field(default_factory=dict)  # cache / overrides
    #: paperId -> the citationCount S2 reports when it is more than the edges served (a paper
    #: with 25,000 citations of which the API pages only the first ~9,999)
    citation_count_override: dict[str, int] = field(default_factory=dict)
    #: papers whose publisher elides their references: nested ``references`` is null (as the
    #: recorded ``PaperWithNullValues.json``), their referenceCount stays
    elided_references: set[str] = field(default_factory=set)

    # -- lookup ----------------------------------------------------------------------------

    def resolve(self, paper_id: str) -> str | None:
        """The paperId an S2 id form (40-hex, CorpusId:, DOI:, bare DOI, ARXIV:, URL:) names."""
        text = paper_id.strip()
        prefix, sep, rest = text.partition(":")
        kind = prefix.lower() if sep else ""
        if kind == "url":
            match = re.search(r"arxiv\.org/(?:abs|pdf)/([^?#]+?)(?:\.pdf)?$", rest)
            if not match:
                return None
            kind, rest = "arxiv", match.group(1)
        if kind == "arxiv":
            wanted = re.sub(r"v\d+$", "", rest).lower()
            return self._find(lambda r: str(_ext(r, "ArXiv") or "").lower() == wanted)
        if kind == "doi" or text.startswith("10."):
            wanted = (rest if kind == "doi" else text).lower()
            return self._find(lambda r: str(_ext(r, "DOI") or "").lower() == wanted)
        if kind == "corpusid":
            return self._find(lambda r: str(r.get("corpusId")) == rest)
        if text in self.papers:
            return text
        return self.aliases.get(text)

    def _find(self, predicate: Any) -> str | None:
        for pid, record in self.papers.items():
            if predicate(record):
                return pid
        return None

    def citations_of(self, pid: str) -> list[Edge]:
        return [e for e in self.edges if e.cited == pid]

    def references_of(self, pid: str) -> list[Edge]:
        return [e for e in self.edges if e.citing == pid]

    def embedding(self, pid: str) -> list[float] | None:
        """The SYNTHETIC SPECTER v2 vector of ``pid``: generated on first use, then cached."""
        if pid not in self.embeddings:
            rng = random.Random(f"{self.seed}:embedding:{pid}")
            self.embeddings[pid] = [round(rng.gauss(0.0, 1.0), 4) for _ in range(EMBEDDING_DIM)]
        return self.embeddings[pid]

    def match_title(self, query: str) -> tuple[str, float] | None:
        """Best title match as (paperId, similarity 0..100), or ``None`` below the threshold."""
        wanted = _norm_title(query)
        best: tuple[float, str] | None = None
        for pid, record in self.papers.items():
            score = fuzz.ratio(wanted, _norm_title(record.get("title") or ""))
            if best is None or score > best[0]:
                best = (score, pid)
        if best is None or best[0] < MATCH_THRESHOLD:
            return None
        return best[1], best[0]

    def best_match(self, query: str) -> tuple[str, float] | None:
        """The real title match: the best-scoring paper whatever its score (a partial title
        finds the full one, an unrelated query a paper of the field); ``None`` only when no
        title shares a word with ``query``."""
        wanted = _norm_title(query)
        words = set(wanted.split())
        best: tuple[float, str] | None = None
        for pid, record in self.papers.items():
            title = _norm_title(record.get("title") or "")
            if not words & set(title.split()):
                continue
            score = fuzz.WRatio(wanted, title)
            if best is None or score > best[0]:
                best = (score, pid)
        return None if best is None else (best[1], best[0])

    def recommend(self, positive: list[str], negative: list[str], limit: int) -> list[str]:
        """Papers linked by citation to a positive paper, most cited first, ties by paperId."""
        excluded = set(positive) | set(negative)
        linked: set[str] = set()
        for edge in self.edges:
            if edge.citing in positive and edge.cited:
                linked.add(edge.cited)
            if edge.cited in positive and edge.citing:
                linked.add(edge.citing)
        ranked = sorted(
            linked - excluded,
            key=lambda pid: (-(self.papers[pid].get("citationCount") or 0), pid),
        )
        return ranked[:limit]

    # -- building --------------------------------------------------------------------------

    def add_paper(self, record: dict[str, Any]) -> str:
        """Add a record (wire shape, must carry ``paperId``) and return its paperId."""
        pid: str = record["paperId"]
        self.papers[pid] = record
        return pid

    def add_citers(self, pid: str, count: int) -> list[str]:
        """Add ``count`` minimal SYNTHETIC papers citing ``pid`` (e.g. to pass the ~10k cap)."""
        return self._citers(pid, count, "")

    def swap_citer(self, pid: str, tag: str) -> tuple[str, str]:
        """Replace one paper citing ``pid`` by a new SYNTHETIC one, its count unchanged: what
        S2 does silently when it merges a duplicate or drops a citer. Returns (gone, new)."""
        index = next(i for i, e in enumerate(self.edges) if e.cited == pid and e.citing)
        gone = self.edges.pop(index)
        (new,) = self._citers(pid, 1, tag)
        return str(gone.citing), new

    def _citers(self, pid: str, count: int, tag: str) -> list[str]:
        ids = []
        for i in range(count):
            citer = synthetic_paper_id(self.seed, f"citer:{pid}:{tag}{i}")
            self.papers[citer] = {
                "paperId": citer,
                "title": f"SYNTHETIC citing paper {tag}{i}",
                "year": 2020 + i % 5,
                "venue": "",
                "externalIds": {"CorpusId": 900_000_000 + i},
                "authors": [],
                "citationCount": 0,
            }
            self.edges.append(Edge(citer, pid))
            ids.append(citer)
        self.recount()
        return ids

    def recount(self) -> None:
        """Set citationCount / referenceCount / influentialCitationCount from the edges."""
        for record in self.papers.values():
            record["citationCount"] = 0
            record["referenceCount"] = 0
            record["influentialCitationCount"] = 0
        for edge in self.edges:
            if edge.cited in self.papers:
                self.papers[edge.cited]["citationCount"] += 1
                self.papers[edge.cited]["influentialCitationCount"] += edge.is_influential
            if edge.citing in self.papers:
                self.papers[edge.citing]["referenceCount"] += 1
        for pid, count in self.citation_count_override.items():
            if pid in self.papers:
                self.papers[pid]["citationCount"] = count

    def claim_citations(self, pid: str, count: int) -> None:
        """Make ``pid`` report ``count`` citations whatever its edges (see
        ``citation_count_override``)."""
        self.citation_count_override[pid] = count
        self.recount()


def _ext(record: dict[str, Any], key: str) -> Any:
    return (record.get("externalIds") or {}).get(key)


def _hash(*parts: object) -> int:
    return int(hashlib.sha1(":".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def real_venue_fields(record: dict[str, Any]) -> dict[str, Any]:
    """``venue`` / ``journal`` / ``publicationVenue`` of ``record`` as the real API gives them.

    Derived from the record's ``venue`` and ``paperId``, so every corpus gets them and the
    default records stay as they were. The shapes follow the 1,000 recorded citers of
    ``Paper.json``: ``journal`` has ``name`` with ``volume`` and/or ``pages`` (or only
    ``pages``), ``publicationVenue`` has ``id``, ``name`` and some of ``type``,
    ``alternate_names``, ``issn``, ``url``. One paper in six has ``venue`` ``""`` with the name
    only in ``publicationVenue``, one in six with it only in ``journal``. Records that already
    carry either object (real recordings) are left alone: ``{}``.
    """
    if record.get("journal") is not None or record.get("publicationVenue") is not None:
        return {}
    name = record.get("venue") or ""
    if not name:  # real: 29 of 1,000 citers have venue "" and neither object
        return {"journal": None, "publicationVenue": None}
    h = _hash("venue", record.get("paperId"))
    venue_id = hashlib.md5(f"SYNTHETIC venue {name}".encode()).hexdigest()
    publication_venue: dict[str, Any] = {
        "id": f"{venue_id[:8]}-{venue_id[8:12]}-{venue_id[12:16]}-{venue_id[16:20]}-"
              f"{venue_id[20:32]}",
        "name": name,
        "type": "journal" if h % 3 else "conference",
        "alternate_names": [f"SYNTHETIC alias of {name}"],
        "issn": f"{h % 10000:04d}-{h // 10000 % 10000:04d}",
        "url": f"https://example.org/synthetic/venue/{venue_id[:8]}",
    }
    journal: dict[str, Any] = {"name": name, "volume": str(1 + h % 60),
                               "pages": f"{1 + h % 300} - {20 + h % 300}"}
    mode = h // 7 % 6
    if mode == 0:  # the name only in publicationVenue; journal without a name, as recorded
        return {"venue": "", "publicationVenue": publication_venue,
                "journal": {"pages": journal["pages"]}}
    if mode == 1:  # the name only in journal
        return {"venue": "", "publicationVenue": None, "journal": {"name": name}}
    if mode == 2:
        del journal["pages"]
    return {"publicationVenue": publication_venue, "journal": journal}


def _mojibake(text: str) -> str:
    """UTF-8 ``text`` read as Windows-1252 ("José" → "JosÃ©"), the mojibake ftfy repairs."""
    import ftfy.bad_codecs  # noqa: F401 - registers "sloppy-windows-1252"

    return text.encode("utf-8").decode("sloppy-windows-1252")


def _apply_scripts(corpus: Corpus) -> None:
    """Rewrite names, venues and some nulls in place (``scripts=True``), each paper from its
    own generator so the papers and edges stay those of the default corpus."""
    for pid, record in corpus.papers.items():
        rng = random.Random(f"scripts:{corpus.seed}:{pid}")
        for author in record.get("authors") or ():
            if rng.random() < 0.6:
                author["name"] = rng.choice(_SCRIPT_NAMES)
            if rng.random() < 0.1:
                author["authorId"] = None
        if rng.random() < 0.6:
            record["venue"] = rng.choice(_SCRIPT_VENUES)
        if pid not in corpus.core_ids and rng.random() < 0.3:
            record["title"] = "SYNTHETIC " + "".join(rng.sample(_SCRIPT_TITLE_WORDS, 3)) + \
                f" {_hash(pid) % 1000}"
        if rng.random() < 0.2:
            record["abstract"] = None
        if rng.random() < 0.1:
            record["year"] = None
            record["publicationDate"] = None


@dataclass(frozen=True)
class _Seedling:
    """What a core paper is built from: its title and ids as the list (or generator) gives."""

    key: str
    title: str
    arxiv_id: str | None
    doi: str | None
    year: int | None


def _paper_record(
    rng: random.Random, seed: int, sprout: _Seedling, corpus_id: int, *, sparse: bool
) -> dict[str, Any]:
    """A full S2 wire record; ``sparse`` papers have the nulls real S2 records often have."""
    pid = synthetic_paper_id(seed, sprout.key)
    year = sprout.year or rng.randint(2015, 2024)
    external: dict[str, Any] = {"CorpusId": corpus_id}  # an int, as S2 sends it
    if sprout.doi:
        external["DOI"] = sprout.doi
    if sprout.arxiv_id:
        external["ArXiv"] = sprout.arxiv_id
    if rng.random() < 0.5:
        external["MAG"] = str(rng.randint(10**9, 10**10))
    authors = [
        {"authorId": str(rng.randint(10**6, 10**9)) if rng.random() > 0.1 else None,
         "name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"}
        for _ in range(rng.randint(1, 5))
    ]
    return {
        "paperId": pid,
        "externalIds": None if sparse and not external.get("DOI") and not sprout.arxiv_id
        else external,
        "corpusId": corpus_id,
        "url": f"https://www.semanticscholar.org/paper/{pid}",
        "title": sprout.title,
        "abstract": None if sparse else f"SYNTHETIC abstract of {sprout.title}.",
        "venue": rng.choice(_VENUES),
        "publicationVenue": None,
        "year": year,
        "referenceCount": 0,
        "citationCount": 0,
        "influentialCitationCount": 0,
        "isOpenAccess": not sparse,
        "openAccessPdf": None if sparse else
        {"url": f"https://example.org/synthetic/{pid}.pdf", "status": "GREEN"},
        "fieldsOfStudy": None if sparse else ["Computer Science", "Environmental Science"],
        "s2FieldsOfStudy": [{"category": "Computer Science", "source": "s2-fos-model"}],
        "tldr": None if sparse else
        {"model": "tldr@v2.0.0", "text": f"SYNTHETIC summary: {sprout.title.lower()}."},
        "publicationTypes": ["JournalArticle"],
        "publicationDate": None if sparse else f"{year}-{rng.randint(1, 12):02d}-"
        f"{rng.randint(1, 28):02d}",
        "journal": None,
        "authors": None if sparse and rng.random() < 0.5 else authors,
    }


def _arxiv_record(rng: random.Random, record: dict[str, Any], scripts: bool) -> dict[str, Any]:
    """The arXiv record of an S2 paper; with ``scripts`` one in three has its non-ASCII author
    names mojibaked."""
    year = record["year"] or 2020  # S2's year may be null where arXiv has a date
    names = [a["name"] for a in record["authors"] or []]
    if scripts and _hash("mojibake", record["paperId"]) % 3 == 0:
        names = [_mojibake(n) for n in names]
    published = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00:00Z"
    primary = rng.choice(_CATEGORIES)
    return {
        "id": _ext(record, "ArXiv"),
        "version": rng.randint(1, 3),
        "title": record["title"],
        "summary": record["abstract"] or f"SYNTHETIC arXiv abstract of {record['title']}.",
        "authors": names or ["Anonymous Synthetic"],
        "categories": sorted({primary, rng.choice(_CATEGORIES)}, key=lambda c: c != primary),
        "primary_category": primary,
        "published": published,
        "updated": published,
        "doi": _ext(record, "DOI"),
        "journal_ref": f"SYNTHETIC J. {year}" if _ext(record, "DOI") else None,
        "comment": "SYNTHETIC record",
    }


def _build(seed: int, sprouts: list[_Seedling], n_outside: int, scripts: bool = False) -> Corpus:
    rng = random.Random(seed)
    corpus = Corpus(seed=seed)
    for i, sprout in enumerate(sprouts):
        corpus.core_ids.append(
            corpus.add_paper(_paper_record(rng, seed, sprout, 100_000 + i, sparse=i % 9 == 8))
        )
    outside = []
    for j in range(n_outside):
        title = f"{rng.choice(_WORDS_A)} {rng.choice(_WORDS_B)} {rng.choice(_WORDS_C)} {j}"
        sprout = _Seedling(f"outside:{j}", f"SYNTHETIC {title}",
                           f"24{j % 12 + 1:02d}.{90000 + j}" if j % 3 == 0 else None,
                           f"10.5555/synthetic.outside.{j}" if j % 4 == 0 else None, None)
        outside.append(corpus.add_paper(
            _paper_record(rng, seed, sprout, 200_000 + j, sparse=j % 7 == 6)))
    seen: set[tuple[str, str]] = set()

    def link(citing: str, cited: str) -> None:
        if citing != cited and (citing, cited) not in seen:
            seen.add((citing, cited))
            intents = tuple(sorted(rng.sample(_INTENTS, rng.randint(0, 2))))
            corpus.edges.append(Edge(citing, cited, rng.random() < 0.2, intents,
                                     ("SYNTHETIC context sentence.",)))

    core = corpus.core_ids
    for k, citing in enumerate(core):  # core papers cite earlier core papers
        for cited in rng.sample(core[:k], min(k, 2)):
            link(citing, cited)
    for pid in outside:  # each outside paper cites, or is cited by, one to three core papers
        for cited in rng.sample(core, min(len(core), rng.randint(1, 3))):
            if rng.random() < 0.6:
                link(pid, cited)
            else:
                link(cited, pid)
    for k, pid in enumerate(core[::5]):  # references S2 could not resolve: paperId null
        corpus.edges.append(Edge(pid, None, unresolved_title=f"SYNTHETIC unresolved ref {k}"))
    if core:  # a merged duplicate: the retired id still answers with the surviving paper
        corpus.aliases[synthetic_paper_id(seed, "retired-duplicate")] = core[0]
    corpus.recount()
    if scripts:
        _apply_scripts(corpus)
    for record in corpus.papers.values():
        if _ext(record, "ArXiv"):
            corpus.arxiv[_ext(record, "ArXiv")] = _arxiv_record(rng, record, scripts)
    return corpus


def make_corpus(seed: int = 0, n_outside: int = 40, n_core: int = 12, scripts: bool = False
                ) -> Corpus:
    """A free-standing SYNTHETIC corpus: ``n_core`` papers with ids, ``n_outside`` around them
    (``scripts``: names and venues in many scripts, see the module docstring).

    Core paper ``i`` has arXiv id ``2301.{10000+i}`` and, for even ``i``, DOI
    ``10.5555/synthetic.{i}``.

    >>> c = make_corpus(seed=1, n_outside=5, n_core=3)
    >>> len(c.core_ids), len(c.papers), c.resolve("ARXIV:2301.10001") == c.core_ids[1]
    (3, 8, True)
    """
    rng = random.Random(f"titles:{seed}")
    sprouts = [
        _Seedling(
            f"core:{i}",
            f"SYNTHETIC {rng.choice(_WORDS_A)} {rng.choice(_WORDS_B)} Model for "
            f"{rng.choice(_WORDS_C)} {i}",
            f"2301.{10000 + i}",
            f"10.5555/synthetic.{i}" if i % 2 == 0 else None,
            None,
        )
        for i in range(n_core)
    ]
    return _build(seed, sprouts, n_outside, scripts)


def _altered(title: str, k: int) -> str:
    """A slight variant of ``title`` as S2 might index it (case, punctuation, joined words)."""
    variants = (
        lambda t: t.rstrip(".").lower(),
        lambda t: t.replace(":", " -").replace("  ", " "),
        lambda t: t.replace("-", ""),
    )
    altered: str = variants[k % len(variants)](title)
    return altered


def corpus_for_list(
    document: ListDocument, seed: int = 0, n_outside: int = 120, alter_every: int = 6,
    scripts: bool = False,
) -> Corpus:
    """One SYNTHETIC S2 paper per paper row of ``document``, plus outside papers around them.

    Each list paper keeps the row's arXiv id and DOI as ``externalIds`` (so batch resolution by
    ``ARXIV:`` / ``DOI:`` finds it); every ``alter_every``-th one gets a slightly altered title,
    and rows with neither id must be found by title match. ``corpus.core_ids`` follows the order
    of ``document.papers``. ``scripts``: names and venues in many scripts (module docstring).
    """
    sprouts = []
    for k, entry in enumerate(document.papers):
        title = _altered(entry.title, k // alter_every) if k % alter_every == alter_every - 1 \
            else entry.title
        sprouts.append(_Seedling(f"list:{entry.line}", title, entry.ids.arxiv_id, entry.ids.doi,
                                 entry.year))
    return _build(seed, sprouts, n_outside, scripts)
