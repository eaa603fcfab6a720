"""A list file's text: its bytes decoded, and mojibake repaired the one way every reader does.

A list is UTF-8, or UTF-16/32 with a byte-order mark as Windows editors save it; anything else is
an error naming where, never a guess. Mojibake (UTF-8 read as Windows-1252, "Wordâ€“Sentence") is
repaired by ftfy, and only mojibake: titles stay as written, full-width punctuation
(``遥感大模型：进展与前瞻``), curly quotes and ligatures included.
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

import ftfy

from ..errors import ListParseError

__all__ = ["MAX_LIST_BYTES", "read_list_text", "repair_mojibake"]

#: the largest list file read: the longest real lists of the field are a few MB
MAX_LIST_BYTES = 64 * 2**20

# mojibake is repaired once per document, line by line (ftfy's own segments); the line breaks and
# HTML entities stay for Markdown to read, so line numbers and markup are those of the file.
# Width, quotes and ligatures are the list's spelling, not damage: ftfy folds them by default.
_REPAIR = ftfy.TextFixerConfig(unescape_html=False, fix_line_breaks=False,
                               fix_character_width=False, uncurl_quotes=False,
                               fix_latin_ligatures=False)


def repair_mojibake(text: str) -> str:
    """``text`` with mojibake repaired as the list's titles are (ftfy; line breaks, HTML
    entities, character widths, quotes and ligatures left as written), for every outside text
    shown beside them (arXiv's author names).

    >>> repair_mojibake("Gui-Song Xia, Fran\u00c3\u00a7ois"), repair_mojibake("遥感大模型：进展与前瞻")
    ('Gui-Song Xia, François', '遥感大模型：进展与前瞻')
    """
    return ftfy.fix_text(text, _REPAIR)


#: byte-order marks and their codecs, UTF-32 first: its little-endian mark starts like UTF-16's
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def read_list_text(path: Path, what: str) -> str:
    """The text of a list file: UTF-8, or UTF-16/32 with a byte-order mark, as Windows editors
    save (a UTF-8 one is dropped too).

    Any other encoding is an error naming the line, column and byte offset of the first byte
    that is not UTF-8, as pandoc reports it, rather than a guess: read as Latin-1, a title would
    be misread without a word, and matched by title against the wrong paper. ``what`` names
    the file in messages ("the list").

    Raises
    ------
    ListParseError
        If the file cannot be read, is no regular file (a FIFO, a device), is over
        :data:`MAX_LIST_BYTES`, or is not UTF-8 text.
    """
    try:
        # a FIFO would block the open, a device never end: only a regular file is a list
        if not stat.S_ISREG(path.stat().st_mode):
            raise ListParseError(f"{what} is not a regular file; give the path of a Markdown file",
                                 path)
        with path.open("rb") as file:
            data = file.read(MAX_LIST_BYTES + 1)
    except OSError as exc:
        raise ListParseError(f"cannot read {what}: {exc}; check the path", path) from exc
    if len(data) > MAX_LIST_BYTES:
        raise ListParseError(f"{what} is over {MAX_LIST_BYTES // 2**20} MiB: no Markdown list is "
                             "that long; check the path", path)
    codec = next((codec for bom, codec in _BOMS if data.startswith(bom)), "utf-8")
    text: str | None = None
    try:
        text, bad = data.decode(codec), len(data)
    except UnicodeDecodeError as exc:
        bad = exc.start + (len(codecs.BOM_UTF8) if codec == "utf-8-sig" else 0)
    # whichever comes first: a NUL is valid UTF-8, yet no text in a list
    nul = data.find(b"\0", 0, bad) if codec == "utf-8" else -1
    name = codec.removesuffix("-sig").upper()
    if nul >= 0:
        raise _not_text(path, f"{what} is not UTF-8 text", data, nul, "is a NUL byte: UTF-16 "
                        "saved without a byte-order mark, or no text file; re-save it as UTF-8")
    if text is None:
        raise _not_text(path, f"{what} is not {name} text", data, bad, (
            f"is not {name}; re-save the file as UTF-8 (one saved as Latin-1: iconv -f "
            "WINDOWS-1252 -t UTF-8)"))
    return text


def _not_text(path: Path, what: str, data: bytes, offset: int, problem: str) -> ListParseError:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return ListParseError(f"{what}: byte offset {offset} (column {column}, "
                          f"0x{data[offset]:02x}) {problem}", path, line)
