"""Sarabun for PDFs, adjusted so that Thai text copied or extracted from the PDF is the text written.

The problem: a PDF maps each glyph to one piece of text (its ToUnicode map), but Thai SARA AM (ำ)
is drawn as two glyphs, NIKHAHIT and the same glyph as SARA AA (า), and HarfBuzz merges a tone mark
before it into the same cluster (น้ำ = น + [NIKHAHIT+MAI THO ligature] + า). WeasyPrint maps a
glyph to the text of the first cluster it draws it in, so either every า or every ำ in the document
comes out wrong ("สานักงาน" for "สำนักงาน").

The fix: a copy of the font whose SARA AA glyph, when it is the second half of SARA AM, is a
distinct glyph (same outline and width) for each possible tone mark before it. Each such glyph then
always stands for the same text ("ำ", "่ำ", "้ำ", "๊ำ" or "๋ำ"), the NIKHAHIT glyphs for nothing,
and plain า stays า. The shapes on the page do not change.
"""

from __future__ import annotations

import copy
import io
from functools import lru_cache
from pathlib import Path

AA = "uni0E32"
NIKHAHIT_PREFIX = "uni0E4D"
TONES = ("0E48", "0E49", "0E4A", "0E4B")  # ่ ้ ๊ ๋


def _add_glyph(font, source: str, name: str) -> None:
    order = font.getGlyphOrder()
    font.setGlyphOrder([*order, name])
    glyf = font["glyf"]
    glyf.glyphOrder = font.getGlyphOrder()
    glyf.glyphs[name] = copy.deepcopy(glyf[source])
    font["hmtx"].metrics[name] = font["hmtx"].metrics[source]
    if "GDEF" in font and font["GDEF"].table.GlyphClassDef:
        classes = font["GDEF"].table.GlyphClassDef.classDefs
        if source in classes:
            classes[name] = classes[source]


def _coverage(glyphs, font):
    from fontTools.otlLib.builder import buildCoverage

    return buildCoverage(glyphs, font.getReverseGlyphMap())


def _chain_rule(font, backtrack: list[str], target: str, lookup_index: int):
    from fontTools.ttLib.tables import otTables as ot

    rule = ot.ChainContextSubst()
    rule.Format = 3
    rule.BacktrackGlyphCount = 1
    rule.BacktrackCoverage = [_coverage(backtrack, font)]
    rule.InputGlyphCount = 1
    rule.InputCoverage = [_coverage([target], font)]
    rule.LookAheadGlyphCount = 0
    rule.LookAheadCoverage = []
    record = ot.SubstLookupRecord()
    record.SequenceIndex = 0
    record.LookupListIndex = lookup_index
    rule.SubstCount = 1
    rule.SubstLookupRecord = [record]
    return rule


def _add_to_ccmp(gsub, lookup_index: int) -> None:
    """Run the lookup as part of every ``ccmp`` feature (shapers use one feature per tag and script,
    so a second ``ccmp`` record would be ignored); add a ``ccmp`` feature where there is none."""
    from fontTools.ttLib.tables import otTables as ot

    records = gsub.FeatureList.FeatureRecord
    ccmp = [index for index, record in enumerate(records) if record.FeatureTag == "ccmp"]
    for index in ccmp:
        feature = records[index].Feature
        feature.LookupListIndex = sorted({*feature.LookupListIndex, lookup_index})
        feature.LookupCount = len(feature.LookupListIndex)
    for script in gsub.ScriptList.ScriptRecord:
        systems = [script.Script.DefaultLangSys] + [r.LangSys for r in script.Script.LangSysRecord]
        for system in filter(None, systems):
            if any(i in ccmp for i in system.FeatureIndex):
                continue
            record = ot.FeatureRecord()
            record.FeatureTag = "ccmp"
            record.Feature = ot.Feature()
            record.Feature.FeatureParams = None
            record.Feature.LookupListIndex = [lookup_index]
            record.Feature.LookupCount = 1
            records.append(record)
            gsub.FeatureList.FeatureCount = len(records)
            ccmp.append(len(records) - 1)
            system.FeatureIndex.append(len(records) - 1)
            system.FeatureCount = len(system.FeatureIndex)


def extractable_thai(font_bytes: bytes) -> bytes:
    """The font with distinct SARA AA glyphs after NIKHAHIT (see the module's docstring); the font
    unchanged when it has no such glyphs."""
    from fontTools.otlLib.builder import buildLookup, buildSingleSubstSubtable
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(font_bytes))
    names = set(font.getGlyphOrder())
    if AA not in names or "GSUB" not in font or "glyf" not in font:
        return font_bytes
    before: dict[str, list[str]] = {"": sorted(n for n in names if n in (NIKHAHIT_PREFIX, NIKHAHIT_PREFIX + ".narrow"))}
    for tone in TONES:
        before[tone] = sorted(n for n in names if n.startswith(NIKHAHIT_PREFIX + tone))
    gsub = font["GSUB"].table
    rules = []
    for tone, context in before.items():
        if not context:
            continue
        variant = f"{AA}.am{tone}"
        _add_glyph(font, AA, variant)
        gsub.LookupList.Lookup.append(buildLookup([buildSingleSubstSubtable({AA: variant})]))
        rules.append(_chain_rule(font, context, AA, len(gsub.LookupList.Lookup) - 1))
    if not rules:
        return font_bytes
    gsub.LookupList.Lookup.append(buildLookup(rules))
    gsub.LookupList.LookupCount = len(gsub.LookupList.Lookup)
    _add_to_ccmp(gsub, len(gsub.LookupList.Lookup) - 1)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@lru_cache(maxsize=8)
def prepared(path: Path) -> bytes:
    """The adjusted font file, built once per process."""
    return extractable_thai(Path(path).read_bytes())
