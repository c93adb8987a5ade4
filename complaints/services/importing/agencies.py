"""Agency names as people write them -> agency codes.

``เขตบางรัก``, ``สำนักงานเขตบางรัก``, ``บางรัก``, ``Bang Rak``, ``1004``, the ฎ/ฏ misspelling of
ราษฎร์บูรณะ, ``ป้อมปราบฯ``, a unit of a district (``ฝ่ายเทศกิจ เขตคลองเตย``), a department's full name,
short name or abbreviation (``สนย.``) and a few older names. A near spelling is accepted with a
warning; a list of agencies (``เขตบางพลัด,สำนักการโยธา กทม.``) takes the first, with a warning.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from flask_babel import gettext as _

from complaints.services.importing.resolvers import BLANK, Resolved, compact, value_key

DISTRICT_PREFIXES = ("สำนักงานเขต", "สนข", "เขต", "khet")
SUFFIXES = ("จังหวัดกรุงเทพมหานคร", "กรุงเทพมหานคร", "กรุงเทพฯ", "กทม", "bma", "bangkok", "districtoffice",
            "district", "office")
# Names and abbreviations that are not in the reference data (older names, common short forms).
AGENCY_ALIASES = {
    "สำนักผังเมือง": "city-planning", "สผม": "city-planning",  # renamed around 2562
    "สำนักงานปลัดกรุงเทพมหานคร": "permanent-secretary", "สำนักปลัด": "permanent-secretary",
}


@dataclass(frozen=True)
class AgencyRef:
    code: str
    kind: str
    name_th: str
    name_en: str
    abbr_th: str | None
    active: bool

    @property
    def display_th(self) -> str:
        return f"สำนักงานเขต{self.name_th}" if self.kind == "district" else self.name_th


class AgencyResolver:
    def __init__(self, agencies: list[AgencyRef], overrides: dict[str, str]):
        self.by_code = {a.code: a for a in agencies}
        self.overrides = overrides
        self.index: dict[str, str] = {}
        self.districts: dict[str, str] = {}
        for agency in agencies:
            names = [agency.code, agency.name_th, agency.name_en]
            if agency.kind == "district":
                self.districts[compact(agency.name_th)] = agency.code
                self.districts[compact(agency.name_en)] = agency.code
            else:
                names.append(agency.abbr_th or "")
                for prefix in ("สำนักงาน", "สำนัก"):
                    if agency.name_th.startswith(prefix) and len(agency.name_th) - len(prefix) >= 4:
                        names.append(agency.name_th[len(prefix):])
                        break
            for name in names:
                if name:
                    self.index.setdefault(compact(name), agency.code)
        for alias, code in AGENCY_ALIASES.items():
            if code in self.by_code:
                self.index.setdefault(compact(alias), code)
        self.fuzzy_keys = sorted(set(self.index) | set(self.districts))
        self.cache: dict[str, Resolved] = {}

    def resolve(self, raw: str) -> Resolved:
        if not raw:
            return BLANK
        if raw not in self.cache:
            self.cache[raw] = self._resolve(raw)
        return self.cache[raw]

    def _exact(self, part: str) -> str | None:
        key = compact(part)
        if key in self.index:
            return self.index[key]
        for suffix in SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
        if key in self.index:
            return self.index[key]
        for prefix in DISTRICT_PREFIXES:
            if key.startswith(prefix) and key[len(prefix):] in self.districts:
                return self.districts[key[len(prefix):]]
        if key in self.districts:
            return self.districts[key]
        # a unit of a district office: "ฝ่ายเทศกิจ เขตคลองเตย" belongs to the district
        if match := re.search(r"เขต\s*([^\s,]+)", part):
            name = compact(match.group(1))
            if name in self.districts:
                return self.districts[name]
        if key.endswith("ฯ") and len(key) > 4:  # "ป้อมปราบฯ": the official abbreviation mark
            stem = key[:-1]
            found = {code for name, code in {**self.index, **self.districts}.items() if name.startswith(stem)}
            if len(found) == 1:
                return found.pop()
        return None

    def _resolve(self, raw: str) -> Resolved:
        key = value_key(raw)
        if self.overrides.get(key) in self.by_code:
            return Resolved(self.overrides[key])
        parts = [p for p in re.split(r"[,;\n]+", raw) if p.strip()]
        found = []
        for part in parts:
            code = self._exact(part)
            if code and code not in found:
                found.append(code)
        if found:
            if len(found) > 1:
                names = ", ".join(self.by_code[c].display_th for c in found)
                return Resolved(found[0], warning=_("พบหลายหน่วยงาน (%(names)s) ใช้หน่วยงานแรก", names=names))
            return Resolved(found[0])
        key = compact(parts[0] if parts else raw)
        for prefix in DISTRICT_PREFIXES:
            if key.startswith(prefix) and len(key) > len(prefix) + 2:
                key = key[len(prefix):]
                break
        if len(key) >= 3:
            close = difflib.get_close_matches(key, self.fuzzy_keys, n=1, cutoff=0.8)
            if close:
                code = self.index.get(close[0]) or self.districts[close[0]]
                return Resolved(code, warning=_("ไม่พบหน่วยงาน “%(raw)s” ตรงตัว ใช้ %(name)s ซึ่งใกล้เคียงที่สุด "
                                                "กรุณาตรวจสอบ", raw=raw, name=self.by_code[code].display_th))
        return Resolved(error=_("ไม่รู้จักหน่วยงาน “%(raw)s”", raw=raw))
