"""How the tests judge a parsed list, by rules written here independently of the parser.

Nothing here imports ``rsvlm_graph``: a bug shared by the parser and its judge would hide
itself. ``linked_papers`` finds the distinct papers a list links, without Markdown: every URL
outside comments and code blocks on a paper host (the hosts listed here, not the parser's table),
keyed by arXiv id, DOI or address. ``bad_title`` says when an entry's title is a link label, a
number, a date, or carries a venue/year tail ("Segment any change. NeurIPS2024.").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

__all__ = ["linked_papers", "paper_key", "bad_title", "read_share"]

_PAPER_HOSTS = ("arxiv.org", "doi.org", "dx.doi.org", "ieeexplore.ieee.org", "mdpi.com",
                "dl.acm.org", "sciencedirect.com", "openaccess.thecvf.com", "link.springer.com",
                "tandfonline.com", "openreview.net", "proceedings.neurips.cc", "papers.nips.cc",
                "proceedings.mlr.press", "ojs.aaai.org", "aclanthology.org",
                "onlinelibrary.wiley.com", "nature.com", "ecva.net")
_PAPER_PAGES = ("hf.co/papers/", "huggingface.co/papers/")
_URL = re.compile(r"https?://[^\s)\]>\"'|<]+")
# what a reader of the rendered list does not see: comments, "[//]: # (…)" lines, code blocks
_HIDDEN = re.compile(r"<!--.*?-->|^[ \t]*\[//\]:[ \t]*#[^\n]*$|^\s*(```|~~~).*?^\s*\1",
                     re.DOTALL | re.MULTILINE)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_ARXIV = re.compile(r"(?:arxiv\.org/(?:abs|pdf|html)/|(?:hf\.co|huggingface\.co)/papers/)"
                    r"(\d{4}\.\d{4,5})")


def paper_key(url: str) -> str:
    """The paper a link names: ``arxiv:ID``, ``doi:DOI``, else its host and path (a CVF page and
    its PDF are one paper)."""
    url = url.strip().rstrip(".,;")
    if found := _ARXIV.search(url):
        return f"arxiv:{found[1]}"
    if found := re.search(r"doi\.org/(10\.\S+)", url):
        return f"doi:{found[1].lower()}"
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    if host == "openaccess.thecvf.com":
        path = re.sub(r"\.(?:html|pdf)$", "", path.rsplit("/", 1)[-1])
    return host + path


def _on_paper_host(url: str) -> bool:
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    return any(host == h or host.endswith("." + h) for h in _PAPER_HOSTS) or any(
        (host + parts.path).startswith(page) for page in _PAPER_PAGES)


def linked_papers(text: str) -> set[str]:
    """The distinct papers (``paper_key``) that the visible text of a list links."""
    visible = _IMAGE.sub(" ", _HIDDEN.sub(" ", text))
    return {paper_key(url) for url in _URL.findall(visible) if _on_paper_host(url)}


def read_share(text: str, entry_urls: Iterable[str | None]) -> tuple[int, int]:
    """(distinct papers the list links, of them those an entry links)."""
    linked = linked_papers(text)
    read = {paper_key(url) for url in entry_urls if url}
    return len(linked), len(linked & read)


_LABELS = {re.sub(r"[\W_]+", "", word) for word in (
    "paper papers pdf arxiv code project page projectpage site website home homepage hf "
    "huggingface github gitlab mdpi ieee ieeexplore springer elsevier acm sciencedirect doi link "
    "links download data dataset demo model weights repo repository openreview abstract abs "
    "video slides poster bibtex tgrs jstars grsl isprs cvpr iccv eccv neurips nips iclr icml aaai "
    "ijcai acmmm wacv igarss tpami tip rse jag sensors remotesensing nature science").split()}
_NUMBER = re.compile(r"\W*\d+(?:[.,]\d+)*\W*")
_DATE = re.compile(r"\W*(?:(?:19|20)\d{2}(?:\s*[-/.年]\s*\d{1,2}(?:\s*[-/.月]\s*\d{1,2}\s*日?)?)?"
                   r"|\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d{2}"
                   r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+"
                   r"(?:\d{1,2},?\s*)?(?:19|20)\d{2})\W*", re.IGNORECASE)
_ONLY_VENUE_YEAR = re.compile(r"\W*[A-Za-z][\w&.\- ]{0,40}?\s*'?(?:19|20)\d{2}\W*")
# a year at the end after a separator and at most a few words, or glued to a capitalised word:
# ". NeurIPS2024.", " (AAAI 2024)", " - PBVS 2025", ", 2023.", " TGRS2022"
_TAIL = re.compile(r"(?:[.,;:|(\[]\s*(?:[A-Za-z][\w&.\- ]{0,30}?\s*)?|\s[A-Z][\w&\-]{1,15}\s?)'?"
                   r"(?:19|20)\d{2}\b\W*(?:\([^)]*\)\W*)?$")


# a dataset's name with its year glued on: "HRSC2016", "DFC2023", "xView2018"
_GLUED_NAME = re.compile(r"[A-Za-z][\w&\-]*[A-Za-z](?:19|20)\d{2}")


def bad_title(title: str, kind: str = "paper") -> str | None:
    """Why ``title`` is no title ("label", "number", "date", "venue/year"), or ``None``; a
    dataset (``kind``) may be named with its year glued on."""
    text = title.strip()
    if kind == "dataset" and _GLUED_NAME.fullmatch(text):
        return None
    if re.sub(r"[\W_]+", "", text.casefold()) in _LABELS:
        return "label"
    if _NUMBER.fullmatch(text):
        return "number"
    if _DATE.fullmatch(text):
        return "date"
    if _ONLY_VENUE_YEAR.fullmatch(text) or _TAIL.search(text):
        return "venue/year"
    return None
