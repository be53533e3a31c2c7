#!/usr/bin/env python3
"""Writes Tests/TokenizerTests/Fixtures/tokenizer_corpus.json: a corpus of varied strings with the ids that
the two reference tokenizers give them.

- open_clip: `open_clip.tokenize` (open_clip_torch 3.3.0) — what the reference training used.
- hf: Hugging Face `CLIPTokenizer` (transformers 4.44.2, the Python tokenizer, which runs ftfy) built from the
  same `bpe_simple_vocab_16e6.txt.gz`, converted to vocab.json / merges.txt the way HF's conversion does
  (same ids; the two special tokens spelled `<|startoftext|>` / `<|endoftext|>`).

Ids are stored without padding (open_clip pads with 0, HF with 49407). The corpus also
records where the two references disagree and why; the Swift tokenizer must equal open_clip everywhere.

Run from the repository root:  python3 tools/make_tokenizer_fixtures.py
"""
import gzip
import json
import os
import random
import tempfile

import open_clip
from open_clip.tokenizer import _tokenizer as oc_tok
from transformers import CLIPTokenizer

OUT = "Tests/TokenizerTests/Fixtures/tokenizer_corpus.json"
EOT = 49407
SHORT_CONTEXT = 16


def hf_tokenizer():
    bpe = os.path.join(os.path.dirname(open_clip.__file__), "bpe_simple_vocab_16e6.txt.gz")
    lines = gzip.open(bpe).read().decode("utf-8").split("\n")
    merges = lines[1 : 49152 - 256 - 2 + 1]
    vocab = {}
    for token, index in oc_tok.encoder.items():
        vocab[{"<start_of_text>": "<|startoftext|>", "<end_of_text>": "<|endoftext|>"}.get(token, token)] = index
    d = tempfile.mkdtemp()
    with open(os.path.join(d, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(d, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(merges) + "\n")
    tok = CLIPTokenizer(os.path.join(d, "vocab.json"), os.path.join(d, "merges.txt"))
    assert tok.fix_text is not None, "HF CLIPTokenizer must run ftfy (install ftfy)"
    return tok


def mojibake(s, enc):
    try:
        return s.encode("utf-8").decode(enc)
    except UnicodeDecodeError:
        return s.encode("utf-8").decode(enc, errors="replace")


def corpus():
    rng = random.Random(20240611)
    texts = []
    add = texts.append

    # captions
    subjects = ["person", "man", "woman", "child", "dog", "cat", "horse", "bird", "chef", "player", "girl", "boy",
                "elephant", "giraffe", "skateboarder", "surfer", "policeman", "grandmother", "toddler", "zebra"]
    verbs = ["riding", "holding", "eating", "sitting on", "standing next to", "throwing", "catching", "looking at",
             "walking with", "carrying", "playing with", "lying on", "jumping over", "pushing", "washing"]
    objects = ["a bicycle", "a frisbee", "a pizza", "the bench", "a red umbrella", "two surfboards", "a laptop",
               "the kitchen table", "an orange", "a skateboard", "a kite", "three bananas", "a toothbrush",
               "the teddy bear", "a cell phone", "a wine glass", "the fire hydrant", "a baseball bat"]
    places = ["", " in a park", " on the beach", " at night", " in the kitchen", " near a lake", " on a street",
              " inside a train station", " under a tree", " during the snowstorm"]
    for _ in range(260):
        s = f"{rng.choice(['a', 'the', 'A', 'The', 'one'])} {rng.choice(subjects)} {rng.choice(verbs)} " \
            f"{rng.choice(objects)}{rng.choice(places)}"
        if rng.random() < 0.3:
            s = s.upper() if rng.random() < 0.3 else s.capitalize()
        if rng.random() < 0.3:
            s += rng.choice([".", "!", "?", "...", " :)", "!!!", ";", " -"])
        add(s)
    add("person riding a bicycle")
    add("person holding cup")
    add("man sitting on chair")
    add("a photo of a dog")

    # punctuation, symbols, code-ish text
    for s in ["hello, world!", "what?!", "...", "(a) [b] {c} <d>", "---", "e.g. i.e. etc.", "#hashtag @mention",
              "https://example.com/path?q=1&r=2#frag", "user.name+tag@example.co.uk", "C:\\Users\\me\\file.txt",
              "f(x) = x^2 + 2*x - 1", "a/b\\c|d", "~`!@#$%^&*()_+-={}[]:\";'<>?,./", "**bold** __under__",
              "“quoted” ‘single’", "«guillemets» ‹single›", "¿Qué? ¡Sí!", "…", "•bullet", "→ ← ↑ ↓", "°C ±5",
              "§1 ¶2 ©2024 ®™", "1st 2nd 3rd", "semi;colon:colon", "don't stop", "O'Neil's", "rock'n'roll",
              "it's", "IT'S", "I'M", "we'll", "they'd", "you're", "we've", "can't", "'twas", "''s", "' s",
              "x'S'Re", "ſtop", "'ſ", "ſ's", "<start_of_text>", "<end_of_text>", "<START_OF_TEXT>",
              "a<end_of_text>b", "<|startoftext|>", "<|endoftext|>", "<ſtart_of_text>", "<|startoftext|>hi",
              "<start_of_text > <start-of-text>", "tab\there", "&", "&&&", "a & b", "<<>>", "\\n literal"]:
        add(s)

    # numbers
    for s in ["1234567890", "3.14159", "1,000,000", "10%", "$5.99", "€12,50", "2024-06-11", "24/7", "+1 (555) 010-9999",
              "0.0001", "1e-10", "12:30pm", "v2.0.1", "mp3 mp4 h264", "١٢٣ ٤٥٦", "१२३", "一二三", "Ⅻ Ⅳ", "½ ¼ ¾",
              "x² y³ 10⁻⁶", "①②③", "007", "3x4", "99 bottles", "CO2 H2O", "ａ１２３", "１２３４"]:
        add(s)
    for _ in range(40):
        add(" ".join(str(rng.randint(0, 10 ** rng.randint(1, 12))) for _ in range(rng.randint(1, 5))))

    # accents and other scripts
    for s in ["café", "naïve résumé", "Crème Brûlée", "São Paulo", "Zürich Straße", "Ångström", "Ærøskøbing",
              "Łódź Gdańsk", "Tiếng Việt có dấu", "piñata jalapeño", "İstanbul ışık", "ÇA VA", "ΟΔΥΣΣΕΥΣ",
              "ΣΑΣ Σ ΑΣ. ΑΣ", "Ελληνικά", "Москва и Санкт-Петербург", "Україна", "עברית", "العربية", "हिन्दी",
              "ไทย", "ქართული", "Հայերեն", "e\u0301", "cafe\u0301 noe\u0308l", "a\u0345b", "\u1100\u1161\u11a8",
              "Ǆemal", "ǅ ǆ", "GROẞE", "ß", "ﬁ", "Ǳ", "ǈ", "K Kelvin", "Å angstrom", "Ω ohm", "µ micro",
              "ℌ ℑ ℜ", "ｶﾀｶﾅ", "ﾊﾟﾝ", "\u00a0nbsp\u00a0", "soft\u00adhyphen", "zero\u200bwidth", "bidi\u200ftext",
              "\ufeffbom", "tab\u2063sep"]:
        add(s)

    # CJK
    for s in ["中文字符", "日本語のテキスト", "한국어 텍스트", "東京タワー", "北京欢迎你", "ひらがな カタカナ", "我爱自然语言处理",
              "漢字とかな混じり文", "㐀㐁 𠀀𠀁", "가나다라마바사", "「かぎ括弧」", "【墨付き括弧】", "〜波ダッシュ", "中英mixed文本"]:
        add(s)
    cjk_ranges = [(0x4E00, 0x9FFF), (0x3040, 0x309F), (0x30A0, 0x30FF), (0xAC00, 0xD7A3)]
    for _ in range(40):
        lo, hi = rng.choice(cjk_ranges)
        add("".join(chr(rng.randint(lo, hi)) for _ in range(rng.randint(1, 12))))

    # emoji
    for s in ["😀", "I ❤️ NY", "👍🏽 ok", "👨‍👩‍👧‍👦 family", "🇫🇷🇯🇵", "1️⃣ keycap", "🏳️‍🌈", "🐶🐱🐭", "☕ coffee",
              "✔ done", "🚴‍♀️ cycling", "🤷", "😂😂😂", "🍕+🍺=🎉", "©️", "\U0001F9D1\u200D\U0001F91D\u200D\U0001F9D1"]:
        add(s)
    for _ in range(30):
        add(" ".join(chr(rng.randint(0x1F300, 0x1FAFF)) for _ in range(rng.randint(1, 6))))

    # HTML entities (including forms only open_clip's html.unescape understands)
    for s in ["&amp;", "&lt;b&gt;bold&lt;/b&gt;", "Tom &amp; Jerry", "&quot;quoted&quot;", "it&#39;s", "it&#x27;s",
              "&nbsp;space", "caf&eacute;", "&hellip;", "&mdash;", "&amp;amp;", "&amp;lt;", "&copy 2020", "&amp",
              "&ltdiv&gt", "&EACUTE;", "&NTILDE;", "&Eacute;", "&#0;", "&#128;", "&#x80;", "&#xD800;", "&#99999999;",
              "&#65;&#66;&#67;", "&#x1F600;", "&#1114112;", "&notit;", "&notin;", "&noti", "&unknown;", "&#;",
              "&#x;", "&#xZZ;", "<b>&amp;</b>", "a < b &amp; c", "&lt;3", "&gt;&gt;", "&AMP;", "&Amp;",
              "&frac12;", "&sup2;", "&euro;", "&pound;", "&yen;", "&alpha;&beta;", "&rarr;", "&zwj;", "&shy;",
              "fish &amp; chips &amp; peas", "&amp;quot;", "&#38;#39;", "&#x26;amp;", "&ampx;", "&amp;;;",
              "line1\n<br>\nline3 &amp;", "line1 &amp;\nline2 <\nline3 &amp;"]:
        add(s)

    # whitespace
    for s in ["", " ", "   ", "\t\n", "  leading", "trailing  ", "  both  ", "multiple    spaces   here",
              "tab\tseparated\tvalues", "new\nline", "windows\r\nline", "old\rmac", "\u3000ideographic\u3000space",
              "nbsp\u00a0between", "thin\u2009space", "em\u2003space", "line\u2028separator", "para\u2029sep",
              "next\u0085line", "vertical\x0btab", "form\x0cfeed", "file\x1csep", "unit\x1fsep", " \n \t \r "]:
        add(s)

    # curly quotes, full-width, ligatures
    for s in ["‘single’ and “double”", "„German“ ‚style‘", "ʼokina", "‛reversed‟", "it’s", "I‘m", "we’ll",
              "ＬＯＵＤ　ＮＯＩＳＥＳ", "ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ", "！？＃＄％", "（括弧）", "Ｈｅｌｌｏ，　Ｗｏｒｌｄ！",
              "ﬁnance ﬂower", "ﬀ ﬃ ﬄ ﬅ ﬆ", "Ĳsselmeer ĳs", "ŉ", "ǲ", "oﬃce", "ﬁ’s ﬂ"]:
        add(s)

    # mojibake: UTF-8 bytes read in the wrong single-byte encoding (ftfy repairs most of these)
    clean = ["café", "naïve", "schön", "“quoted”", "it’s", "à la mode", "voilà le travail", "Ñandú", "привет",
             "Ελληνικά", "Łódź", "señor", "crème brûlée", "€100", "—dash—", "…ellipsis", "★ star", "ü", "日本",
             "😀 emoji", "Straße", "São Paulo", "Ærøskøbing", "über cool", "façade", "smörgåsbord", "jalapeño",
             "¯\\_(ツ)_/¯", "✔ No problems", "Müller & Søn", "piñata", "déjà vu"]
    for s in clean:
        for enc in ["latin-1", "windows-1252", "windows-1251", "windows-1250", "mac_roman", "cp437", "iso-8859-2"]:
            add(mojibake(s, enc))
    for s in ["cafÃ©", "Ã la mode", "voilÃ le travail", "â€œquotedâ€\x9d", "sÃ³", "Ã³", "schÃ¶n", "âœ” No problems",
              "&macr;\\_(ã\x83\x84)_/&macr;", "Broken text&hellip; it&#x2019;s ﬂubberiﬁc!", "Ð¿Ñ€Ð¸Ð²ÐµÑ‚",
              "cafÃƒÂ©", "The Mona Lisa doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t have eyebrows.", "ÃƒÂ©tÃƒÂ©", "Ã¢â‚¬Å“",
              "Ãºnico", "Ã\xa0 la", "fÃ cil", "Ã s vezes", "MÃ¼nchen und KÃ¶ln", "TÃ­tulo", "Ã\x81rbol",
              "â€™", "doesnâ€™t", "Iâ€™m", "â€\x9d", "\x80\x81\x82 c1 controls", "\x93quoted\x94", "caf\x82",
              "Ð’Ð¾Ñ‚ Ñ‚Ð°Ðº", "Ã¨Ã©ÃªÃ«", "ÃƒÆ’Ã‚Â©", "He said â€œhiâ€� there", "cafÃ?", "â€¦", "Ãƒ", "Ã",
              "ÃŸ", "Â£100", "Â©2020", "Â", "Â Â", "Ã‰cole", "ðŸ˜€", "ðŸ‘\x8d", "Ã¢â‚¬â„¢", "Ã©Ã", "test Ã© test"]:
        add(s)

    # control characters and escapes
    for s in ["\x1b[31mred\x1b[0m text", "bell\x07char", "null\x00char", "del\x7fchar", "\ufffdreplacement",
              "\ufff9anchor\ufffb", "\u206atext", "back\bspace", "esc\x1b alone"]:
        add(s)

    # very long texts
    sentence = "A man in a red shirt is riding a bicycle down a busy city street while people watch. "
    add(sentence * 10)
    add("word " * 200)
    add("supercalifragilisticexpialidocious" * 20)
    add("".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(300)))
    add("😀" * 100)
    add("a" * 1000)
    add("1234567890" * 30)
    add(" ".join(rng.choice(subjects + verbs) for _ in range(150)))
    for _ in range(20):
        add(" ".join(rng.choice(subjects + verbs + objects) for _ in range(rng.randint(30, 80))))

    # random mixtures (fuzz)
    alphabet = (list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") * 3
                + list(" \t\n.,;:!?'\"-_()[]{}<>/\\&#@%*+=~^|$") * 2
                + [chr(c) for c in range(0xA0, 0x180)]
                + list("αβγδΣσςΩωабвгдЖЖ") + list("中文日本語한국어") + ["😀", "👍", "❤", "\u0301", "\u0308", "\u200d"]
                + ["&amp;", "&lt;", "&#39;", "’", "“", "”", "ﬁ", "Ａ", "１", "\u3000", "\xa0"])
    for _ in range(260):
        add("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))))
    # random words in mixed case with punctuation
    words = ["hello", "World", "CLIP", "token", "izer", "don't", "I'll", "São", "naïve", "東京", "😀", "42", "3.5",
             "&amp;", "e-mail", "U.S.A.", "x", "ünïcödé", "Ñ", "ΑΒΓ", "Привет"]
    for _ in range(150):
        sep = rng.choice([" ", "  ", "", "\t", "\n", ", ", "-"])
        add(sep.join(rng.choice(words) for _ in range(rng.randint(1, 12))))
    return texts


def open_clip_ids(texts, context_length):
    """open_clip's id lists before zero padding, checked against open_clip.tokenize itself."""
    rows = open_clip.tokenize(texts, context_length=context_length)
    out = []
    for text, row in zip(texts, rows.tolist()):
        ids = [oc_tok.sot_token_id] + oc_tok.encode(text) + [oc_tok.eot_token_id]
        if len(ids) > context_length:
            ids = ids[:context_length]
            ids[-1] = oc_tok.eot_token_id
        assert row == ids + [0] * (context_length - len(ids)), text
        out.append(ids)
    return out


def main():
    texts = corpus()
    hf = hf_tokenizer()
    oc = open_clip_ids(texts, 77)
    oc_short = open_clip_ids(texts, SHORT_CONTEXT)
    enc = hf(texts, padding="max_length", max_length=77, truncation=True)
    hf_ids = [[i for i, m in zip(ids, mask) if m] for ids, mask in zip(enc["input_ids"], enc["attention_mask"])]
    disagreements = [i for i in range(len(texts)) if oc[i] != hf_ids[i]]
    out = {
        "about": "open_clip.tokenize (open_clip_torch %s) and HF CLIPTokenizer (transformers %s, Python, with ftfy) ids, "
                 "without padding (open_clip pads with 0, HF with 49407); open_clip_ctx%d uses context_length=%d. "
                 "'disagreements' lists corpus indices where the two references differ: the Swift tokenizer follows "
                 "open_clip there (the reference training used open_clip). Generated by tools/make_tokenizer_fixtures.py."
                 % (open_clip.__version__, __import__("transformers").__version__, SHORT_CONTEXT, SHORT_CONTEXT),
        "texts": texts,
        "open_clip": oc,
        "open_clip_ctx%d" % SHORT_CONTEXT: oc_short,
        "hf": hf_ids,
        "disagreements": disagreements,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=True, separators=(",", ":"))
    print(f"{len(texts)} texts, {len(disagreements)} open_clip/HF disagreements, {os.path.getsize(OUT)} bytes")
    for i in disagreements:
        print("  ", i, repr(texts[i])[:80])


if __name__ == "__main__":
    main()
