"""Normalising text and names before they are hashed into a blind index or compared after decryption.

The same functions run on stored values (when a case is indexed and when a candidate is checked) and
on what a user types, so that the two meet. Changing anything here changes the hashes: raise
``PIPELINE_VERSION`` in ``complaints.search_text`` and run ``complaints reindex``.
"""

from __future__ import annotations

import re
import unicodedata

# Thai digits become Arabic digits; zero-width characters that Thai text uses as invisible word breaks
# become spaces. (A regular expression, because str.translate is slow on Thai text.)
REPLACEMENTS = {
    **dict(zip("๐๑๒๓๔๕๖๗๘๙", "0123456789", strict=True)),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff", " "),
}
SPECIAL = re.compile("[" + "".join(REPLACEMENTS) + "]")

# Personal titles stripped from the front of a name, longest first so that นางสาว wins over นาง.
TITLES = sorted(
    {
        "นาย", "นาง", "นางสาว", "น.ส.", "นส.", "ด.ช.", "ด.ญ.", "ดช.", "ดญ.", "เด็กชาย", "เด็กหญิง", "คุณ",
        "ดร.", "นพ.", "พญ.", "ทพ.", "ทพญ.", "ภก.", "ภญ.", "ศ.", "รศ.", "ผศ.", "ว่าที่ร้อยตรี", "ว่าที่ ร.ต.",
        "ว่าที่ร.ต.", "ร.ต.", "ร.ท.", "ร.อ.", "พ.ต.", "พ.ท.", "พ.อ.", "ส.ต.", "ส.ท.", "ส.อ.", "จ.ส.อ.",
        "ร.ต.ต.", "ร.ต.ท.", "ร.ต.อ.", "พ.ต.ต.", "พ.ต.ท.", "พ.ต.อ.", "ด.ต.", "จ.ส.ต.", "ส.ต.ต.",
        "mr.", "mrs.", "ms.", "miss", "mr", "mrs", "ms", "dr.",
    },
    key=len,
    reverse=True,
)
# Where the name part of an entry in "persons concerned" ends (a position, a note in brackets, ...).
NAME_END = re.compile(r"\s*(?:ตำแหน่ง|\(|（|\[| - | – |—|:|อายุ\s*\d|โทร)")
PERSON_SEPARATORS = re.compile(r"[\n\r;,،、]+|\s+และ\s+|\s+กับ\s+|\s*/\s*")


def normalise_text(text: str | None) -> str:
    """NFC, Thai digits as Arabic digits, zero-width breaks and every run of whitespace as one space,
    Latin letters case-folded. Thai letters are left exactly as written."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    if SPECIAL.search(text):
        text = SPECIAL.sub(lambda found: REPLACEMENTS[found.group()], text)
    return " ".join(text.casefold().split())


def _strip_titles(name: str) -> str:
    for _ in range(3):
        for title in TITLES:
            if name.startswith(title) and len(name) > len(title):
                name = name[len(title):].lstrip()
                break
        else:
            return name
    return name


def normalise_name(name: str | None) -> str:
    """A whole person's name as it is hashed: normalised text, leading titles stripped, spaces collapsed.
    Never word-segmented: ``นายสมชาย  ใจดี`` and ``สมชาย ใจดี`` give the same value."""
    return _strip_titles(normalise_text(name))


def names_in(text: str | None) -> set[str]:
    """The normalised names in a field that lists people (one person, or several separated by new lines,
    commas, ``และ``, ...). Each entry gives its name part (up to a position or a bracket) and, when
    that is longer, its first two words (first name and surname)."""
    found: set[str] = set()
    for entry in PERSON_SEPARATORS.split(unicodedata.normalize("NFC", text or "")):
        head = NAME_END.split(" ".join(entry.split()), maxsplit=1)[0]
        name = normalise_name(head)
        if not name:
            continue
        found.add(name)
        words = name.split(" ")
        if len(words) > 2:
            found.add(" ".join(words[:2]))
    return found
