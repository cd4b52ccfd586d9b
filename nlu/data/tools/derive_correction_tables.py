#!/usr/bin/env python3
"""Derives the compiled-in tables of the spelling corrector (nlu/src/correct/) from registry data.

Inputs (fetched by `anxin models fetch` into <models_dir>/packages/):
  - pycorrector 1.1.4 (Apache-2.0): pycorrector/data/same_pinyin.txt, same_stroke.txt, word_freq.txt,
    common_char_set.txt
  - snownlp 0.12.3 (MIT): snownlp/normal/zh.py (its zh2hans table), used for Traditional to Simplified
Outputs (committed):
  - nlu/data/correct/domain_misspellings.tsv: every single-character slip of a word of domain_words.txt by sound
    (same_pinyin, same tone) or by shape (same_stroke) into a common character, that is not itself a word of
    word_freq.txt, not a slip of two different domain words, and not in BLOCKED_VARIANTS; plus HANDWRITTEN_SLIPS
  - nlu/data/correct/traditional.tsv: one-to-one Traditional to Simplified characters from snownlp's table, leaving
    out every character that is itself a common Simplified character (余, 干, 么 ...), so no Simplified text changes

Usage: python3 nlu/data/tools/derive_correction_tables.py PYCORRECTOR_DIR SNOWNLP_DIR
  (PYCORRECTOR_DIR holds pycorrector/data/..., SNOWNLP_DIR holds snownlp/normal/zh.py)
"""
import ast
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "correct")

# Function words and everyday characters that pycorrector lists as sounding alike with domain characters but that
# customers write on purpose beside them: 分几期 and 延几天 are no slips of 分期 and 延期.
BLOCKED_REPLACEMENTS = set("几只其见观视觉限线是事要在再和的了吗么呢吧个给说时十也")

# Common slips across tones, which the same-tone rule misses; written for Anxin.
HANDWRITTEN_SLIPS = [
    ("换款", "还款"), ("环款", "还款"), ("缓款", "还款"), ("逾其", "逾期"), ("结请", "结清"), ("罚习", "罚息"),
    ("额读", "额度"), ("利律", "利率"), ("扣宽", "扣款"), ("借宽", "借款"), ("还宽", "还款"), ("提钳", "提前"),
    ("帐单", "账单"), ("冻洁", "冻结"), ("现再", "现在"), ("接款", "借款"), ("征性", "征信"), ("验正码", "验证码"), ("分其", "分期"),
]

# Slips that are real colloquial words or phrases in customer speech, though no dictionary lists them:
# 提钱 is "take out money", not 提前; 还前 appears in 还前一期; 借前 in 借前先问.
BLOCKED_VARIANTS = {"提钱", "还前", "借前", "换前", "还期", "还卡", "还清单", "还欠", "期钱", "借欠", "还千"}


def read_lines(path):
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                yield line


def main():
    pycorrector, snownlp = sys.argv[1], sys.argv[2]
    data = os.path.join(pycorrector, "pycorrector", "data")
    common = set("".join(read_lines(os.path.join(data, "common_char_set.txt"))).replace(" ", ""))
    confusions = {}
    for line in read_lines(os.path.join(data, "same_pinyin.txt")):
        fields = line.split("\t")
        # Only the same sound with the same tone: slips across tones (钱 and 欠, 什 and 是) too often make a real
        # phrase (还欠 "still owe", 是么 "is it"), so those that are common are listed by hand below.
        confusions.setdefault(fields[0], set()).update(fields[1] if len(fields) > 1 else "")
    for line in read_lines(os.path.join(data, "same_stroke.txt")):
        group = [field for field in line.split("\t") if field]
        for char in group:
            confusions.setdefault(char, set()).update(c for c in group if c != char)
    words = set()
    for line in read_lines(os.path.join(data, "word_freq.txt")):
        words.add(line.split(" ")[0])
    domain = [line.strip() for line in read_lines(os.path.join(OUT, "domain_words.txt"))]
    domain_set = set(domain)
    corrections = {}
    for word in domain:
        for index, char in enumerate(word):
            for replacement in sorted(confusions.get(char, ())):
                if replacement == char or replacement not in common or replacement in BLOCKED_REPLACEMENTS:
                    continue
                variant = word[:index] + replacement + word[index + 1:]
                if variant in words or variant in domain_set or variant in BLOCKED_VARIANTS:
                    continue
                corrections.setdefault(variant, set()).add(word)
    for variant, word in HANDWRITTEN_SLIPS:
        corrections.setdefault(variant, set()).add(word)
    rows = sorted((variant, targets.pop()) for variant, targets in corrections.items() if len(targets) == 1)
    with open(os.path.join(OUT, "domain_misspellings.tsv"), "w", encoding="utf-8") as handle:
        handle.write("# variant\tword. Derived by nlu/data/tools/derive_correction_tables.py from domain_words.txt and\n")
        handle.write("# pycorrector 1.1.4's same_pinyin.txt, same_stroke.txt, word_freq.txt and common_char_set.txt (Apache-2.0).\n")
        for variant, word in rows:
            handle.write(f"{variant}\t{word}\n")

    source = open(os.path.join(snownlp, "snownlp", "normal", "zh.py"), encoding="utf-8").read()
    start = source.index("zh2hans = {")
    end = source.index("}", start)
    table = ast.literal_eval(source[start + len("zh2hans = "):end + 1])
    pairs = sorted(
        (traditional, simplified)
        for traditional, simplified in table.items()
        if len(traditional) == 1 and len(simplified) == 1 and traditional != simplified
        and traditional not in common and "\u4e00" <= traditional <= "\u9fff" and "\u4e00" <= simplified <= "\u9fff"
    )
    # A character that is some other character's Simplified form is Simplified itself: it stays.
    simplified_forms = {simplified for _, simplified in pairs}
    pairs = [(traditional, simplified) for traditional, simplified in pairs if traditional not in simplified_forms]
    with open(os.path.join(OUT, "traditional.tsv"), "w", encoding="utf-8") as handle:
        handle.write("# Traditional\tSimplified, one character each. Derived by nlu/data/tools/derive_correction_tables.py from\n")
        handle.write("# snownlp 0.12.3's snownlp/normal/zh.py (MIT), without characters that are common Simplified ones.\n")
        for traditional, simplified in pairs:
            handle.write(f"{traditional}\t{simplified}\n")
    print(f"{len(rows)} domain misspellings, {len(pairs)} Traditional characters")


if __name__ == "__main__":
    main()
