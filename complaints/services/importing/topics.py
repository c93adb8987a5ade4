"""Topics as people write them -> category codes.

Codes, Thai and English names and their parts (``ถนน`` of ``ถนน/ผิวจราจรชำรุด``), Traffy Fondue's
labels, and Traffy's sets such as ``{ถนน,ทางเท้า}`` (the first known topic wins; generic labels such
as ``ร้องเรียน`` only when nothing better is there). A keyword inside a longer text is accepted with a
warning; a blank topic becomes the default topic (อื่น ๆ) with a warning.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

from complaints.services.importing.resolvers import Resolved, compact, value_key

# Traffy Fondue's labels (and the inspectors' usual words) -> category code.
TOPIC_ALIASES = {
    "ถนน": "road", "ทางเท้า": "footpath", "น้ำท่วม": "flood", "ท่อระบายน้ำ": "drainage", "คลอง": "drainage",
    "ความสะอาด": "waste", "ขยะ": "waste", "แสงสว่าง": "lighting", "ไฟฟ้าส่องสว่าง": "lighting",
    "จราจร": "traffic", "ป้าย": "traffic", "ป้ายจราจร": "traffic", "การเดินทาง": "traffic",
    "กีดขวาง": "encroachment", "ความปลอดภัย": "safety", "สายไฟ": "cables", "ต้นไม้": "trees",
    "เสียงรบกวน": "noise", "pm2.5": "air", "ฝุ่น": "air", "สัตว์จรจัด": "animals", "คนจรจัด": "homeless",
    "สะพาน": "bridge", "หาบเร่แผงลอย": "vendors", "ทุจริต": "corruption", "ห้องน้ำ": "other",
}
# Labels that say nothing about the topic: used only when nothing better is in the set.
GENERIC_TOPICS = {"ร้องเรียน", "สอบถาม", "เสนอแนะ", "อื่นๆ", "อื่น", "other", "ห้องน้ำ"}
FALLBACK_TOPIC = "other"


class CategoryResolver:
    def __init__(self, categories: list[tuple[str, str, str]], overrides: dict[str, str],
                 default: str | None = None):
        self.names = {code: name_th for code, name_th, _ in categories}
        self.overrides = overrides
        self.default = default if default in self.names else (FALLBACK_TOPIC if FALLBACK_TOPIC in self.names
                                                               else None)
        self.index: dict[str, str] = {}
        for code, name_th, name_en in categories:
            for name in (code, name_th, name_en, *re.split(r"[/\-]", name_th), *re.split(r"/|,| and ", name_en)):
                if name.strip():
                    self.index.setdefault(compact(name), code)
        for alias, code in TOPIC_ALIASES.items():
            if code in self.names:
                self.index.setdefault(compact(alias), code)
        if FALLBACK_TOPIC in self.names:
            for generic in GENERIC_TOPICS:
                self.index.setdefault(compact(generic), FALLBACK_TOPIC)
        self.generic = {compact(g) for g in GENERIC_TOPICS}
        self.keywords = sorted((k for k in self.index if len(k) >= 3), key=len, reverse=True)
        self.cache: dict[str, Resolved] = {}

    def resolve(self, raw: str) -> Resolved:
        if raw not in self.cache:
            self.cache[raw] = self._resolve(raw)
        return self.cache[raw]

    def _lookup(self, token: str) -> str | None:
        key = value_key(token)
        if self.overrides.get(key) in self.names:
            return self.overrides[key]
        return self.index.get(compact(token))

    def _resolve(self, raw: str) -> Resolved:
        tokens = [t for t in re.split(r"[,;|]+", raw.strip().strip("{}[]")) if t.strip()]
        if not tokens:
            if self.default is None:
                return Resolved(error=_("ไม่ระบุประเภทเรื่อง"))
            return Resolved(self.default, warning=_("ไม่ระบุประเภทเรื่อง ใช้ “%(name)s”", name=self.names[self.default]))
        whole = self._lookup(raw.strip().strip("{}[]"))
        if whole:
            return Resolved(whole)
        generic = None
        for token in tokens:
            code = self._lookup(token)
            if code is None:
                continue
            if compact(token) in self.generic and value_key(token) not in self.overrides:
                generic = generic or code
                continue
            return Resolved(code)
        if generic:
            return Resolved(generic)
        squeezed = compact(raw)
        for keyword in self.keywords:
            if keyword in squeezed:
                code = self.index[keyword]
                return Resolved(code, warning=_("ตีความประเภทเรื่อง “%(raw)s” เป็น “%(name)s” จากคำที่พบ "
                                                "กรุณาตรวจสอบ", raw=raw, name=self.names[code]))
        unknown = ", ".join(t.strip() for t in tokens)
        return Resolved(error=_("ไม่รู้จักประเภทเรื่อง “%(raw)s”", raw=unknown))

    def unknown_tokens(self, raw: str) -> list[str]:
        """The parts of a value that the registrar could map by hand (for the value-mapping form)."""
        tokens = [t.strip() for t in re.split(r"[,;|]+", raw.strip().strip("{}[]")) if t.strip()]
        return [t for t in tokens if self._lookup(t) is None] or [raw.strip()]
