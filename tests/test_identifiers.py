"""Tests of rsvlm_graph.identifiers: every id form the bundled list uses, and the node ids."""

from __future__ import annotations

import itertools
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rsvlm_graph.errors import IdentifierError
from rsvlm_graph.identifiers import (
    MDPI_JOURNAL_CODES,
    NodeNames,
    arxiv_version,
    author_node_id,
    canonical_url,
    code_node_id,
    dataset_node_id,
    ids_from_url,
    is_paper_url,
    list_node_id,
    name_hash,
    name_key,
    normalize_arxiv_id,
    normalize_doi,
    normalize_title,
    outside_paper_node_id,
    paper_node_id,
    slugify,
    task_node_id,
    title_similarity,
    venue_node_id,
)
from rsvlm_graph.models import PaperIds
from rsvlm_graph.venue_names import normalize_venue

LIST = Path(__file__).parent / "data" / "awesome-list.md"  # frozen copy of the list
S2_ID = "649def34f8be52c8b66281af98ae884c09aef38b"  # SYNTHETIC: any 40 hex digits


@pytest.mark.parametrize(("text", "slug"), [
    ("Awesome remote sensing vision language models", "awesome-remote-sensing-vision-language-models"),
    ("Word–Sentence Framework", "word-sentence-framework"),
    ("RSVQA×BEN", "rsvqa-ben"),
    ("Caféine  Naïve", "cafeine-naive"),
    ("  --UC Merced Land-Use(UCM)-- ", "uc-merced-land-use-ucm"),
    ("遥感", "遥感"),
    ("武汉大学学报 (信息科学版) 2023", "武汉大学学报-信息科学版-2023"),
    ("全球传媒学刊", "全球传媒学刊"),
    ("المجلة العلمیة للإقتصاد و التجارة", "المجلة-العلمیة-للإقتصاد-و-التجارة"),
    ("Журнал Вычислительной Математики", "журнал-вычислительной-математики"),
    ("Ελληνικά ΣΟΦΙΑΣ", "ελληνικά-σοφιασ"),
    ("リモートセンシング画像", "リモートセンシング画像"),  # voicing marks kept (ン, グ)
    ("원격 탐사", "원격-탐사"),
    ("हिन्दी भाषा", "हिन्दी-भाषा"),  # vowel signs are marks: kept
    ("Straße Ørsted Łódź", "strasse-ørsted-łodz"),
    ("ＩＥＥＥ　Access", "ieee-access"),  # full-width letters and space: NFKC
    ("🛰️🌍", ""),
    ("!!!", ""),
])
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(("text", "arxiv_id", "version"), [
    ("2305.05726", "2305.05726", None),
    ("2305.05726v2", "2305.05726", 2),
    ("arXiv:2305.05726", "2305.05726", None),
    ("ARXIV: 2305.05726v11", "2305.05726", 11),
    ("1501.00001", "1501.00001", None),
    ("astro-ph/0601001", "astro-ph/0601001", None),
    ("math.GT/0309136v1", "math.GT/0309136", 1),
    ("https://arxiv.org/abs/2305.05726", "2305.05726", None),
    ("https://arxiv.org/abs/2305.05726v3", "2305.05726", 3),
    ("http://www.arxiv.org/pdf/2305.05726v2.pdf", "2305.05726", 2),
    ("https://arxiv.org/pdf/2305.05726", "2305.05726", None),
    ("https://export.arxiv.org/abs/astro-ph/0601001v2", "astro-ph/0601001", 2),
    ("arxiv.org/abs/2204.09868/", "2204.09868", None),
    ("https://arxiv.org/html/2305.05726v1", "2305.05726", 1),  # arXiv's HTML rendering
])
def test_arxiv_ids(text: str, arxiv_id: str, version: int | None) -> None:
    assert normalize_arxiv_id(text) == arxiv_id
    assert arxiv_version(text) == version


@pytest.mark.parametrize("text", [
    "", "2305", "2305.057", "10.3390/rs11060612", "https://example.org/abs/2305.05726",
    "https://arxiv.org/list/cs.CV/recent", "arXiv:", "http://[::1", "2305.05726v",
])
def test_arxiv_rejects_non_ids(text: str) -> None:
    with pytest.raises(IdentifierError):
        normalize_arxiv_id(text)
    with pytest.raises(IdentifierError):
        arxiv_version(text)


@pytest.mark.parametrize(("text", "doi"), [
    ("10.3390/rs11060612", "10.3390/rs11060612"),
    ("https://doi.org/10.3390/RS11060612", "10.3390/rs11060612"),
    ("http://dx.doi.org/10.1080/01431161.2022.2145583", "10.1080/01431161.2022.2145583"),
    ("doi:10.1145/3503161.3548316", "10.1145/3503161.3548316"),
    ("DOI: 10.1145/3503161.3548316 ", "10.1145/3503161.3548316"),
    ("https://doi.org/10.1002%2F(SICI)1097-4571", "10.1002/(sici)1097-4571"),
])
def test_normalize_doi(text: str, doi: str) -> None:
    assert normalize_doi(text) == doi


@pytest.mark.parametrize("text", ["", "doi:", "11.1234/x", "10.12/x", "10.3390", "https://doi.org/"])
def test_normalize_doi_rejects(text: str) -> None:
    with pytest.raises(IdentifierError):
        normalize_doi(text)


@pytest.mark.parametrize(("url", "ids"), [
    ("https://arxiv.org/abs/2305.05726", PaperIds(arxiv_id="2305.05726")),
    ("https://arxiv.org/pdf/2305.05726v2.pdf", PaperIds(arxiv_id="2305.05726")),
    ("https://dl.acm.org/doi/abs/10.1145/3503161.3548316", PaperIds(doi="10.1145/3503161.3548316")),
    ("https://www.tandfonline.com/doi/abs/10.1080/01431161.2022.2145583",
     PaperIds(doi="10.1080/01431161.2022.2145583")),
    ("https://doi.org/10.3390/rs11060612", PaperIds(doi="10.3390/rs11060612")),
    ("https://www.mdpi.com/2072-4292/11/6/612", PaperIds(doi="10.3390/rs11060612")),
    ("https://www.mdpi.com/2076-3417/10/24/8931", PaperIds(doi="10.3390/app10248931")),
    ("https://www.mdpi.com/2072-4292/15/3/579", PaperIds(doi="10.3390/rs15030579")),
    ("https://www.mdpi.com/2072-4292/9/12/1271/htm", PaperIds(doi="10.3390/rs9121271")),
    ("https://www.mdpi.com/1424-8220/20/4/1100", PaperIds(doi="10.3390/s20041100")),
    ("https://www.mdpi.com/9999-9999/1/2/3", PaperIds()),
    ("https://www.mdpi.com/journal/remotesensing", PaperIds()),
    ("https://ieeexplore.ieee.org/document/10254282/keywords#keywords", PaperIds(ieee_id="10254282")),
    ("https://ieeexplore.ieee.org/abstract/document/7546397", PaperIds(ieee_id="7546397")),
    ("https://ieeexplore.ieee.org/stamp/stamp.jsp?arnumber=9088993", PaperIds(ieee_id="9088993")),
    ("https://ieeexplore.ieee.org/xpl/conhome/1000000/proceeding", PaperIds()),
    ("https://www.sciencedirect.com/science/article/abs/pii/S0924271614002524#preview-section-introduction",
     PaperIds(pii="S0924271614002524")),
    ("https://www.sciencedirect.com/science/article/pii/S0303243422000678", PaperIds(pii="S0303243422000678")),
    (f"https://www.semanticscholar.org/paper/Some-Title-Slug/{S2_ID}", PaperIds(s2_paper_id=S2_ID)),
    ("https://www.semanticscholar.org/paper/Some-Title-Slug", PaperIds()),
    ("https://openaccess.thecvf.com/content/CVPR2022W/EarthVision/html/x_paper.html", PaperIds()),
    ("https://github.com/Lavender105/RSGPT", PaperIds()),
    ("not a url at all", PaperIds()),
    ("http://[::1:80/broken", PaperIds()),
])
def test_ids_from_url(url: str, ids: PaperIds) -> None:
    assert ids_from_url(url) == ids


def test_mdpi_table_has_the_journals_of_the_list() -> None:
    issns = set(re.findall(r"mdpi\.com/(\d{4}-\d{3}[\dX])/", LIST.read_text(encoding="utf-8")))
    assert issns and issns <= set(MDPI_JOURNAL_CODES)


@pytest.mark.parametrize(("a", "b"), [
    ("https://ieeexplore.ieee.org/abstract/document/7546397", "http://ieeexplore.ieee.org/document/7546397/"),
    ("https://ieeexplore.ieee.org/document/10254282/keywords#keywords", "ieeexplore.ieee.org/document/10254282"),
    ("https://arxiv.org/pdf/2305.05726v2.pdf", "https://arxiv.org/abs/2305.05726"),
    ("https://www.GitHub.com/syvlo/RSVQA/", "http://github.com/syvlo/RSVQA#readme"),
])
def test_canonical_url_equates_variants(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


@pytest.mark.parametrize(("a", "b"), [
    ("https://github.com/syvlo/RSVQA", "https://github.com/syvlo/RSVQAxBEN"),
    ("https://pan.baidu.com/s/x?pwd=NIST", "https://pan.baidu.com/s/x?pwd=6c3y"),
    ("https://arxiv.org/abs/2305.05726", "https://arxiv.org/abs/2305.05727"),
])
def test_canonical_url_keeps_differences(a: str, b: str) -> None:
    assert canonical_url(a) != canonical_url(b)


def test_canonical_url_forms() -> None:
    assert canonical_url("https://arxiv.org/abs/2305.05726v1") == "arxiv.org/abs/2305.05726"
    assert canonical_url("https://ieeexplore.ieee.org/abstract/document/1") == "ieeexplore.ieee.org/document/1"
    assert canonical_url("https://Example.ORG:8080/A/b/") == "example.org:8080/A/b"


@pytest.mark.parametrize(("ids", "node"), [
    (PaperIds(doi="10.3390/rs11060612", arxiv_id="1"), "paper:doi:10.3390/rs11060612"),
    (PaperIds(arxiv_id="2305.05726", ieee_id="1"), "paper:arxiv:2305.05726"),
    (PaperIds(ieee_id="7546397", pii="S0950705120302586"), "paper:ieee:7546397"),
    (PaperIds(pii="S0950705120302586", s2_paper_id=S2_ID), "paper:pii:S0950705120302586"),
    (PaperIds(s2_paper_id=S2_ID), f"paper:s2:{S2_ID}"),
    (PaperIds(), "paper:title:remoteglm"),
])
def test_paper_node_id_priority(ids: PaperIds, node: str) -> None:
    assert paper_node_id(ids, "RemoteGLM") == node


def test_other_node_ids() -> None:
    assert outside_paper_node_id(S2_ID.upper()) == f"paper:s2:{S2_ID}"
    assert dataset_node_id("NWPU-RESISC45") == "dataset:nwpu-resisc45"
    assert task_node_id("Visual Question Answering") == "task:visual-question-answering"
    assert venue_node_id("IEEE Access") == "venue:ieee-access"
    assert code_node_id("https://github.com/Lavender105/RSGPT") == "code:github.com/lavender105/rsgpt"
    assert code_node_id("http://www.GitHub.com/a/B/?tab=readme#x") == "code:github.com/a/b"
    assert author_node_id("1741101", "Ignored Name") == "author:1741101"
    assert author_node_id(None, "Zhan Yang") == "author:name:zhan-yang"
    assert list_node_id("Awesome remote sensing vision language models") == \
        "list:awesome-remote-sensing-vision-language-models"


@pytest.mark.parametrize("call", [
    lambda: outside_paper_node_id("not-an-id"),
    lambda: code_node_id("github.com/no/scheme"),
])
def test_node_ids_refuse_what_cannot_name_a_node(call) -> None:
    with pytest.raises(IdentifierError):
        call()


def test_normalize_title() -> None:
    assert normalize_title("Word\u00e2\u20ac\u201cSentence  Framework:  for RS.") == \
        "word sentence framework for rs"
    assert normalize_title("RSVQA meets bigearthnet: a new,large-scale") == \
        normalize_title("RSVQA Meets BigEarthNet: A New, Large-Scale")


def test_title_similarity_forgives_typos() -> None:
    typo = "Truncation cross entropy loss for remote sensing image captionin"
    real = "Truncation Cross Entropy Loss for Remote Sensing Image Captioning"
    assert title_similarity(typo, real) > 95
    assert title_similarity(real, real.upper() + ".") == 100


@pytest.mark.parametrize(("a", "b"), [
    ("Remote sensing image captioning via variational autoencoder and reinforcement learning",
     "Remote sensing cross-modal text-image retrieval based on global and local information"),
    ("Few-shot object detection in aerial imagery guided by textmodal knowledge",
     "Few-shot segmentation of remote sensing images using deep metric learning"),
    ("RSVQA: Visual question answering for remote sensing data",
     "Deep Semantic Understanding of High Resolution Remote Sensing Image"),
])
def test_title_similarity_separates_unrelated_titles(a: str, b: str) -> None:
    assert title_similarity(a, b) < 70


def test_no_two_list_titles_look_alike() -> None:
    # A title-match threshold of 90 must never confuse two distinct papers of the list.
    titles = set(re.findall(r"^\|?\[([^\]]{25,})\]\(", LIST.read_text(encoding="utf-8"), re.M))
    assert len(titles) > 70
    assert max(title_similarity(a, b) for a, b in itertools.combinations(sorted(titles), 2)) < 80


@pytest.mark.parametrize(("text", "venue"), [
    ("arxiv", "arXiv"), ("ArXiv ", "arXiv"), ("arXiv preprint", "arXiv preprint"),
    ("GRSL.", "GRSL"), ("IEEE  Access", "IEEE Access"), ("JSTARG", "JSTARG"), ("", ""),
])
def test_normalize_venue(text: str, venue: str) -> None:
    assert normalize_venue(text) == venue


@given(st.text())
def test_identifier_functions_fail_only_with_identifier_error(text: str) -> None:
    ids_from_url(text)
    canonical_url(text)
    for parse in (normalize_arxiv_id, normalize_doi):
        try:
            parse(text)
        except IdentifierError:
            pass


def _ascii_slug(text: str) -> str:
    """The slug of the ASCII-only ``slugify`` this project had first: ids of ASCII names keep it."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@given(st.text())
def test_slug_shape(text: str) -> None:
    slug = slugify(text)
    assert not slug.startswith("-") and not slug.endswith("-") and "--" not in slug
    assert all(ch == "-" or unicodedata.category(ch)[0] in "LMN" for ch in slug)
    assert slugify(slug) == slug
    assert slugify(text) == slug  # deterministic


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_names_keep_their_slugs(text: str) -> None:
    assert slugify(text) == _ascii_slug(text)


def test_ids_of_names_without_a_letter_are_hashes() -> None:
    assert paper_node_id(PaperIds(), " — ") == f"paper:title:{name_hash(' — ')}"
    assert dataset_node_id("...") == "dataset:" + name_hash("...")
    assert venue_node_id("🛰️🌍") != venue_node_id("🌍🛰️")
    assert re.fullmatch(r"venue:--[0-9a-f]{8}", venue_node_id("🛰️🌍"))
    assert task_node_id("遥感") == "task:遥感"
    assert author_node_id(" ", "Алан Тьюринг") == "author:name:алан-тьюринг"


def test_node_names_tell_apart_names_one_slug_folds() -> None:
    names = NodeNames()
    first = names.claim(venue_node_id("IEEE Access"), "IEEE Access")
    assert first == "venue:ieee-access"  # the first keeps its plain id
    others = [names.claim(venue_node_id(n), n) for n in ("IEEE access", "IEEE-Access", "ieee access")]
    assert len({first, *others}) == 4
    assert all(o.startswith("venue:ieee-access--") for o in others)
    assert names.claim("venue:ieee-access", " IEEE  Access") == first  # the same name
    assert names.claim("venue:ieee-access", "IEEE access") == others[0]


@given(st.lists(st.text(), max_size=12))
def test_node_ids_are_injective_and_deterministic(texts: list[str]) -> None:
    """Two different names never share an id in one graph; the same name always gets one."""
    for make in (venue_node_id, task_node_id, dataset_node_id, lambda n: author_node_id(None, n)):
        names, again = NodeNames(), NodeNames()
        ids = [names.claim(make(t), t) for t in texts]
        assert ids == [again.claim(make(t), t) for t in texts]
        by_key: dict[str, str] = {}
        for text, node in zip(texts, ids):
            assert by_key.setdefault(name_key(text), node) == node
        assert len(set(by_key.values())) == len(by_key)
        head = make("x").split(":")[0]
        assert all(node.startswith(f"{head}:") and len(node) > len(head) + 1 for node in ids)


def test_a_hugging_face_paper_page_is_its_arxiv_paper():
    # "| GEO-Bench-2 | … | [HF](https://hf.co/papers/2511.15658) |": the page is keyed by the arXiv id
    # hosts as any URL's: in any case, with www. (a whole-URL pattern once missed the first two)
    for url in ("https://hf.co/papers/2511.15658", "https://huggingface.co/papers/2511.15658v2/",
                "https://HuggingFace.co/papers/2511.15658", "HTTPS://hf.co/papers/2511.15658",
                "https://www.hf.co/papers/2511.15658?from=list"):
        assert is_paper_url(url) and ids_from_url(url) == PaperIds(arxiv_id="2511.15658")
    assert not is_paper_url("https://huggingface.co/datasets/torchgeo/ssl4eo_l")
    assert ids_from_url("https://huggingface.co/papers") == PaperIds()
