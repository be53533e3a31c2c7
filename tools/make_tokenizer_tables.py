#!/usr/bin/env python3
"""Writes Sources/Tokenizer/ReferenceTables.swift: the Unicode and ftfy data the Swift tokenizer needs to
reproduce open_clip's text cleaning exactly (Python 3.11 str.lower/isspace, the `regex` module's \\p{L},
\\p{N} and \\s, html.unescape's entity tables, ftfy 6.3's charmaps, width map and mojibake classes).

Run from the repository root:  python3 tools/make_tokenizer_tables.py
Every table is a string literal of hex code points, parsed once at run time (keeps compile times low).
"""
import html
import html.entities
import inspect
import sys
import unicodedata

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers the sloppy codecs)
import regex
from ftfy import badness, chardata

OUT = "Sources/Tokenizer/ReferenceTables.swift"


def all_chars():
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        yield cp


def ranges(cps):
    cps = sorted(cps)
    out = []
    start = prev = None
    for c in cps:
        if start is None:
            start = prev = c
        elif c == prev + 1:
            prev = c
        else:
            out.append((start, prev))
            start = prev = c
    if start is not None:
        out.append((start, prev))
    return ",".join(f"{a:x}" if a == b else f"{a:x}-{b:x}" for a, b in out)


def cps_hex(s):
    return " ".join(f"{ord(c):x}" for c in s)


def swift_str(s):
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif 0x20 <= ord(ch) < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\u{{{ord(ch):x}}}")
    return '"' + "".join(out) + '"'


def main():
    pat_l = regex.compile(r"[\p{L}]", regex.IGNORECASE)
    pat_n = regex.compile(r"[\p{N}]", regex.IGNORECASE)
    pat_o = regex.compile(r"[^\s\p{L}\p{N}]", regex.IGNORECASE)
    pat_s = regex.compile(r"\s")
    letters, numbers, others, rx_space, py_space, py_word, lower = [], [], [], [], [], [], []
    cased, case_ignorable = [], []
    for cp in all_chars():
        c = chr(cp)
        if pat_l.match(c):
            letters.append(cp)
        if pat_n.match(c):
            numbers.append(cp)
        if pat_o.match(c):
            others.append(cp)
        if pat_s.match(c):
            rx_space.append(cp)
        if c.isspace():
            py_space.append(cp)
        if c.isalnum() or c == "_":
            py_word.append(cp)
        lo = c.lower()
        if lo != c:
            lower.append(f"{cp:x}:{cps_hex(lo)}")
    # Python's Final_Sigma rule, measured on str.lower itself: a character right before a final capital
    # sigma makes it 'ς' iff it is cased and not case-ignorable; after a cased 'A' iff it is case-ignorable.
    for cp in all_chars():
        c = chr(cp)
        t1 = (c + "\u03a3").lower().endswith("\u03c2")
        t2 = ("A" + c + "\u03a3").lower().endswith("\u03c2")
        if t1:
            cased.append(cp)
        elif t2:
            case_ignorable.append(cp)

    # html.unescape tables
    h5 = "\n".join(f"{k}\t{cps_hex(v)}" for k, v in sorted(html.entities.html5.items()))
    src = inspect.getsource(html)
    invalid_refs = html._invalid_charrefs  # type: ignore[attr-defined]
    invalid_cps = html._invalid_codepoints  # type: ignore[attr-defined]
    inv_refs = ",".join(f"{k:x}:{cps_hex(v)}" for k, v in sorted(invalid_refs.items()))
    inv_cps = ranges(invalid_cps)
    ftfy_upper = []
    for k, v in chardata.HTML_ENTITIES.items():
        if k[1:] not in html.entities.html5:
            ftfy_upper.append(f"{k[1:]}\t{cps_hex(v)}")
    # sanity: every other ftfy entity is "&" + an html5 name ending in ';'
    for k, v in chardata.HTML_ENTITIES.items():
        if k[1:] in html.entities.html5:
            assert html.entities.html5[k[1:]] == v and k.endswith(";")

    # charmaps (decode tables of 256 bytes; -1 = undefined)
    def table(enc):
        vals = []
        for b in range(256):
            try:
                vals.append(f"{ord(bytes([b]).decode(enc)):x}")
            except UnicodeDecodeError:
                vals.append("-")
        return " ".join(vals)

    charmaps = {enc: table(enc) for enc in chardata.CHARMAP_ENCODINGS}
    charmaps["windows-1252"] = table("windows-1252")

    width = ",".join(f"{k:x}:{cps_hex(v)}" for k, v in sorted(chardata.WIDTH_MAP.items()))
    lig = ",".join(f"{k:x}:{cps_hex(v)}" for k, v in sorted(chardata.LIGATURES.items()))

    def expand(cls):
        # character-class body (chars and a-b ranges) to a range list
        out = set()
        i = 0
        while i < len(cls):
            if i + 2 < len(cls) and cls[i + 1] == "-":
                out.update(range(ord(cls[i]), ord(cls[i + 2]) + 1))
                i += 3
            else:
                out.add(ord(cls[i]))
                i += 1
        return ranges(out)

    moji = {k: expand(v) for k, v in badness.MOJIBAKE_CATEGORIES.items()}
    clues = {k: expand(v) for k, v in chardata.UTF8_CLUES.items()}

    lines = [
        "// Generated by tools/make_tokenizer_tables.py — do not edit by hand.",
        f"// Python {sys.version.split()[0]} (Unicode {unicodedata.unidata_version}), regex {regex.__version__}, ftfy {ftfy.__version__}.",
        "",
        "/// Reference data (hex code points) that lets the cleaner reproduce Python's text handling exactly.",
        "enum ReferenceTables {",
        f"    /// Code points matched by `regex`'s `[\\p{{L}}]` (IGNORECASE), as ranges.",
        f"    static let letters = {swift_str(ranges(letters))}",
        f"    /// Code points matched by `regex`'s `[\\p{{N}}]` (IGNORECASE), as ranges.",
        f"    static let numbers = {swift_str(ranges(numbers))}",
        f"    /// Code points matched by `regex`'s `[^\\s\\p{{L}}\\p{{N}}]` (IGNORECASE), as ranges.",
        f"    static let others = {swift_str(ranges(others))}",
        f"    /// `regex`'s `\\s`.",
        f"    static let regexSpace = {swift_str(ranges(rx_space))}",
        f"    /// Python's `str.isspace`.",
        f"    static let pythonSpace = {swift_str(ranges(py_space))}",
        f"    /// Python `re`'s `\\w` (str.isalnum or underscore).",
        f"    static let pythonWord = {swift_str(ranges(py_word))}",
        f"    /// Python's `str.lower` where it changes a character: `cp:lowered cps`.",
        f"    static let lowercase = {swift_str(','.join(lower))}",
        f"    /// Cased characters (for the Final_Sigma rule).",
        f"    static let cased = {swift_str(ranges(cased))}",
        f"    /// Case-ignorable characters (for the Final_Sigma rule).",
        f"    static let caseIgnorable = {swift_str(ranges(case_ignorable))}",
        f"    /// `html.entities.html5`: `name<TAB>cps` lines.",
        f"    static let html5Entities = {swift_str(h5)}",
        f"    /// `html._invalid_charrefs`.",
        f"    static let invalidCharrefs = {swift_str(inv_refs)}",
        f"    /// `html._invalid_codepoints`.",
        f"    static let invalidCodepoints = {swift_str(inv_cps)}",
        f"    /// ftfy's extra upper-cased entity names (`NAME;<TAB>cps` lines).",
        f"    static let ftfyUpperEntities = {swift_str(chr(10).join(sorted(ftfy_upper)))}",
        f"    /// ftfy's single-byte charmaps in trial order, then strict windows-1252: 256 code points each.",
        "    static let charmaps: [(name: String, table: String)] = [",
    ]
    for k, v in charmaps.items():
        lines.append(f"        ({swift_str(k)}, {swift_str(v)}),")
    lines += [
        "    ]",
        f"    /// ftfy's WIDTH_MAP.",
        f"    static let widthMap = {swift_str(width)}",
        f"    /// ftfy's LIGATURES.",
        f"    static let ligatures = {swift_str(lig)}",
        f"    /// ftfy.badness.MOJIBAKE_CATEGORIES, as ranges.",
        "    static let mojibakeCategories: [String: String] = [",
    ]
    for k, v in moji.items():
        lines.append(f"        {swift_str(k)}: {swift_str(v)},")
    lines += ["    ]", "    /// ftfy.chardata.UTF8_CLUES, as ranges.", "    static let utf8Clues: [String: String] = ["]
    for k, v in clues.items():
        lines.append(f"        {swift_str(k)}: {swift_str(v)},")
    lines += ["    ]", "}", ""]
    with open(OUT, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {OUT}: {sum(len(l) for l in lines)} chars")


if __name__ == "__main__":
    main()
