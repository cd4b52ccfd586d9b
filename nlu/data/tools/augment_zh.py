#!/usr/bin/env python3
"""Builds the Chinese intent-classifier training file nlu/data/train/zh.jsonl from hand-written sentences.

The sentences in this file are hand-written core examples, one per line, grouped by intent. The script keeps every
core sentence and then adds style variants of them (voice fillers and unpunctuated transcripts, homophone typos,
Traditional characters, pinyin initials, mixed English, regional wording, polite openings and anxious endings) until
each intent reaches its target count. Every transform changes only the surface form of a sentence, never what the
customer asks for. The output is deterministic: the same script always writes the same file.

Usage:
    python3 nlu/data/tools/augment_zh.py          # writes nlu/data/train/zh.jsonl
    python3 nlu/data/tools/augment_zh.py --check  # validates the written file and prints the counts
"""

import argparse
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

DATA_DIRECTORY = Path(__file__).resolve().parent.parent
INTENTS_PATH = DATA_DIRECTORY / "intents.tsv"
OUTPUT_PATH = DATA_DIRECTORY / "train" / "zh.jsonl"

DEFAULT_TARGET_PER_INTENT = 90
TARGET_OVERRIDES = {"out_of_scope": 150}
MINIMUM_CORE_SENTENCES = 40
RANDOM_SEED = 20261126

# Intents whose examples are short replies; they get only light transforms that cannot change the reply.
SHORT_REPLY_INTENTS = {"greeting", "goodbye", "thanks", "affirm", "deny", "repeat", "inform"}
# Short replies that customers naturally say twice in a row ("好的好的", "谢谢谢谢").
DOUBLING_INTENTS = {"greeting", "thanks", "affirm", "deny"}
# Intents where a polite "thank you" ending would read as false.
NO_POLITE_ENDING_INTENTS = {"complaint", "fraud_report", "refund_overcharge", "out_of_scope"}
# Intents where a polite opening would read as false.
NO_POLITE_OPENING_INTENTS = {"refuse_to_pay", "borrower_deceased"}

CORE_SENTENCES: dict[str, list[str]] = {}


def add(intent: str, block: str) -> None:
    """Registers the non-empty lines of `block` as hand-written core sentences of `intent`."""
    sentences = [line.strip() for line in block.strip().splitlines() if line.strip()]
    CORE_SENTENCES.setdefault(intent, []).extend(sentences)


# ---------------------------------------------------------------------------------------------------------------
# Style transforms. Each takes a sentence and a random generator and returns a new sentence, or None when the
# transform does not apply to that sentence.
# ---------------------------------------------------------------------------------------------------------------

PUNCTUATION_CHARACTERS = "，。？！、,.?!~～；;：:…"
# Clause boundaries for voice transcripts; a full stop or colon inside an e-mail address or a number is not one.
CLAUSE_BOUNDARY = re.compile(r"[，。？！、,?!~～；;…]+|\.+(?![A-Za-z0-9])|：|:(?![A-Za-z0-9])")
# Sentence-final particles; a sentence that already ends in one gets no second one.
FINAL_PARTICLES = "吗呢吧啊呀哈啦嘛么了哦"
# Openings that a sentence may already carry; such a sentence gets no second opening.
EXISTING_OPENINGS = ("您好", "你好", "喂", "hi", "hello", "请问", "麻烦", "打扰", "在吗", "客服", "我想咨询", "想问")
QUESTION_CUES = ("吗", "？", "?", "多少", "怎么", "哪", "什么", "几", "能不能", "可不可以", "可以", "呢", "咋", "啥", "是不是")

VOICE_FILLERS = ["那个", "嗯", "呃", "就是", "然后", "那个那个", "嗯那个", "就是说", "额", "呃那个", "嗯就是"]
SHORT_FILLERS = ["嗯", "呃", "那个", "额"]

# Homophone and near-homophone slips that pinyin input and speech recognition commonly produce.
HOMOPHONE_TYPOS = [
    ("还款", "换款"),
    ("额度", "额渡"),
    ("账单", "帐单"),
    ("扣款", "扣宽"),
    ("逾期", "逾其"),
    ("已经", "以经"),
    ("结清", "结请"),
    ("账户", "帐户"),
    ("怎么", "怎莫"),
    ("验证码", "验正码"),
    ("什么", "神马"),
    ("登录", "登陆"),
    ("现在", "现再"),
    ("征信", "征性"),
    ("冻结", "冻洁"),
    ("罚息", "罚习"),
    ("利率", "利律"),
    ("在吗", "再吗"),
    ("还钱", "换钱"),
    ("借款", "接款"),
]

# Simplified to Traditional characters, limited to characters whose Traditional form is unambiguous in this
# data (发 is never hair here, 几 never a small table).
TRADITIONAL_OF_SIMPLIFIED = {
    "还": "還", "额": "額", "账": "帳", "单": "單", "钱": "錢", "么": "麼", "这": "這", "个": "個", "们": "們", "为": "為", "说": "說", "请": "請",
    "贷": "貸", "银": "銀", "号": "號", "时": "時", "间": "間", "问": "問", "题": "題", "过": "過", "没": "沒", "吗": "嗎", "会": "會", "帮": "幫",
    "给": "給", "让": "讓", "对": "對", "话": "話", "电": "電", "费": "費", "结": "結", "证": "證", "诉": "訴", "骗": "騙", "冻": "凍", "审": "審",
    "进": "進", "经": "經", "办": "辦", "现": "現", "该": "該", "应": "應", "几": "幾", "笔": "筆", "张": "張", "动": "動", "变": "變", "后": "後",
    "样": "樣", "关": "關", "开": "開", "认": "認", "识": "識", "谁": "誰", "买": "買", "卖": "賣", "东": "東", "车": "車", "门": "門", "见": "見",
    "谢": "謝", "业": "業", "务": "務", "网": "網", "书": "書", "长": "長", "记": "記", "录": "錄", "无": "無", "产": "產", "处": "處", "体": "體",
    "态": "態", "总": "總", "数": "數", "余": "餘", "学": "學", "联": "聯", "线": "線", "缴": "繳", "违": "違", "约": "約", "协": "協", "续": "續",
    "销": "銷", "码": "碼", "输": "輸", "状": "狀", "况": "況", "压": "壓", "医": "醫", "险": "險", "债": "債", "诈": "詐", "罚": "罰", "滞": "滯",
    "纳": "納", "邮": "郵", "盖": "蓋", "减": "減", "征": "徵", "转": "轉", "试": "試", "败": "敗", "计": "計", "划": "劃", "乐": "樂", "听": "聽",
    "头": "頭", "钟": "鐘", "师": "師", "级": "級", "营": "營", "广": "廣", "优": "優", "权": "權", "户": "戶", "摄": "攝", "币": "幣", "万": "萬",
    "块": "塊", "两": "兩", "资": "資", "报": "報", "询": "詢", "亲": "親", "妈": "媽", "爷": "爺", "儿": "兒", "岁": "歲", "丧": "喪", "礼": "禮",
    "离": "離", "难": "難", "贵": "貴", "赖": "賴", "讨": "討", "厌": "厭", "烦": "煩", "骚": "騷", "扰": "擾", "吓": "嚇", "胁": "脅", "骂": "罵",
    "闻": "聞", "发": "發", "术": "術", "汇": "匯",
    "确": "確", "伟": "偉", "讲": "講", "语": "語", "议": "議", "节": "節", "脑": "腦", "热": "熱", "气": "氣", "刚": "剛", "拨": "撥", "挂": "掛",
    "机": "機", "备": "備", "场": "場", "储": "儲", "戏": "戲", "运": "運", "红": "紅", "鸡": "雞", "饭": "飯", "边": "邊", "图": "圖", "觉": "覺",
    "奖": "獎", "励": "勵", "择": "擇", "选": "選", "宽": "寬", "误": "誤", "错": "錯", "异": "異", "设": "設", "详": "詳", "细": "細", "统": "統",
    "写": "寫", "补": "補", "隐": "隱", "担": "擔", "闪": "閃", "导": "導", "欢": "歡", "专": "專", "项": "項", "顺": "順", "领": "領", "际": "際",
    "实": "實", "稳": "穩", "坏": "壞", "坚": "堅", "济": "濟", "赔": "賠", "贴": "貼", "赶": "趕", "紧": "緊", "连": "連", "达": "達", "迟": "遲",
    "适": "適", "递": "遞", "远": "遠", "谈": "談", "调": "調", "课": "課", "读": "讀", "词": "詞", "评": "評", "译": "譯", "订": "訂", "许": "許",
    "访": "訪", "论": "論", "诺": "諾",
}
TRADITIONAL_CHARACTERS = str.maketrans(TRADITIONAL_OF_SIMPLIFIED)
SIMPLIFIED_CHARACTERS = str.maketrans({traditional: simplified for simplified, traditional in TRADITIONAL_OF_SIMPLIFIED.items()})

# Pinyin initials that customers type instead of the words, longest words first.
PINYIN_INITIALS = [
    ("提前还款", "tqhk"),
    ("人工客服", "rgkf"),
    ("转人工", "zrg"),
    ("还款", "hk"),
    ("额度", "ed"),
    ("验证码", "yzm"),
    ("身份证", "sfz"),
    ("银行卡", "yhk"),
    ("征信", "zx"),
    ("客服", "kf"),
    ("逾期", "yq"),
]

# English words mixed into Chinese chat, as (pattern, replacement), longest words first. Some words change only in
# the contexts where people really write the English: "我要repay" but never "repay日", "loan还差多少" but never
# "loan人" for the borrower.
ENGLISH_MIXING = [
    (r"自动扣款", "autopay"),
    (r"自动还款", "autopay"),
    (r"优惠券", "coupon"),
    (r"验证码", "验证code"),
    (r"贷款", "loan"),
    (r"借款(?!人)", "loan"),
    (r"账单", "bill"),
    (r"逾期", "overdue"),
    (r"利率", "rate"),
    (r"额度", "limit"),
    (r"退款", "refund"),
    (r"密码", "password"),
    (r"登录", "login"),
    (r"发票", "invoice"),
    (r"合同", "contract"),
    (r"投诉", "complain"),
    (r"还款(?=$|[，。？！,?!\s])", "repay"),
]

# Northern and south-western colloquial wording.
REGIONAL_WORDING = [
    ("怎么办", "咋整"),
    ("为什么", "为啥"),
    ("怎么", "咋"),
    ("什么", "啥"),
    ("不知道", "不晓得"),
    ("明天", "明儿个"),
    ("今天", "今儿个"),
    ("是不是", "是不"),
    ("这么", "这"),
]

QUESTION_OPENINGS = ["请问", "请问一下，", "麻烦问一下，", "想问下", "我想咨询一下，", "打扰一下，"]
GENERAL_OPENINGS = ["您好，", "你好，", "客服你好，", "在吗？", "hi，", "你好客服，", "喂，", "您好，我想问下，"]
PHONE_OPENINGS = ["喂，", "喂？", "喂你好，", "嗯，", "那个，", "您好，"]
POLITE_ENDINGS = ["，谢谢", "，谢谢啦", "，麻烦了", "，麻烦尽快", "谢谢", "，辛苦了", "，谢谢你"]
ANXIOUS_ENDINGS = ["！！", "，急", "，急急急", "，在线等", "，快点", "!!!", "，着急", "，急死了"]
ANXIOUS_QUESTION_ENDINGS = ["？？？", "??", "？？"]
COLLECTIONS_ENDINGS = ["！", "！！", "……", "啊", "。"]
SOMBER_ENDINGS = ["。", "……"]
# Intents told in grief or distress, which get no exclamation marks.
SOMBER_INTENTS = {"borrower_deceased", "hardship"}
SHORT_ENDINGS = ["。", "！", "~", "～", "!", "。。", "哈", "呀"]


def is_question_like(sentence: str) -> bool:
    return any(cue in sentence for cue in QUESTION_CUES)


def strip_trailing_punctuation(sentence: str) -> str:
    return sentence.rstrip(PUNCTUATION_CHARACTERS)


def replace_one_listed_word(sentence: str, pairs: list[tuple[str, str]], rng: random.Random) -> str | None:
    """Replaces every occurrence of one listed word found in the sentence, picked at random."""
    candidates = [(word, replacement) for word, replacement in pairs if word in sentence]
    if not candidates:
        return None
    word, replacement = rng.choice(candidates)
    return sentence.replace(word, replacement)


def add_voice_filler(sentence: str, rng: random.Random) -> str | None:
    filler = rng.choice(VOICE_FILLERS)
    if sentence.startswith(filler):
        return None
    return filler + rng.choice(["，", " ", "", "，", "..."]) + sentence


def make_voice_transcript(sentence: str, rng: random.Random) -> str | None:
    """Drops punctuation as speech recognition does, sometimes with a filler at a clause boundary."""
    clauses = [clause for clause in CLAUSE_BOUNDARY.split(sentence) if clause]
    if len(clauses) > 1:
        pieces = [clauses[0]]
        for clause in clauses[1:]:
            joiner = rng.choice([" ", "", " ", "嗯" if rng.random() < 0.3 else "", "就是" if rng.random() < 0.2 else " "])
            pieces.append(joiner + clause)
        return "".join(pieces).strip()
    if clauses and clauses[0] != sentence:
        return clauses[0]
    return rng.choice(["喂 ", "喂喂 ", "嗯 ", "呃 "]) + sentence


def add_homophone_typo(sentence: str, rng: random.Random) -> str | None:
    return replace_one_listed_word(sentence, HOMOPHONE_TYPOS, rng)


def to_traditional(sentence: str, rng: random.Random) -> str | None:
    converted = sentence.translate(TRADITIONAL_CHARACTERS)
    changed = sum(1 for before, after in zip(sentence, converted) if before != after)
    if changed == 0 or (changed < 2 and len(sentence) > 3):
        return None
    return converted


def use_pinyin_initials(sentence: str, rng: random.Random) -> str | None:
    return replace_one_listed_word(sentence, PINYIN_INITIALS, rng)


def mix_in_english(sentence: str, rng: random.Random) -> str | None:
    candidates = [(pattern, replacement) for pattern, replacement in ENGLISH_MIXING if re.search(pattern, sentence)]
    if not candidates:
        return None
    pattern, replacement = rng.choice(candidates)
    return re.sub(pattern, replacement, sentence)


def use_regional_wording(sentence: str, rng: random.Random) -> str | None:
    changed = replace_one_listed_word(sentence, REGIONAL_WORDING, rng)
    if "我" in sentence and (changed is None or rng.random() < 0.5):
        changed = (changed or sentence).replace("我", "俺")
    return changed


def already_opens(sentence: str) -> bool:
    return sentence.lower().startswith(EXISTING_OPENINGS)


def add_polite_opening(sentence: str, rng: random.Random) -> str | None:
    if already_opens(sentence):
        return None
    openings = GENERAL_OPENINGS + (QUESTION_OPENINGS if is_question_like(sentence) else [])
    return rng.choice(openings) + sentence


def add_phone_opening(sentence: str, rng: random.Random) -> str | None:
    if already_opens(sentence):
        return None
    return rng.choice(PHONE_OPENINGS) + sentence


def add_polite_ending(sentence: str, rng: random.Random) -> str | None:
    if "谢" in sentence or "麻烦" in sentence:
        return None
    return strip_trailing_punctuation(sentence) + rng.choice(POLITE_ENDINGS)


def add_anxious_ending(sentence: str, rng: random.Random) -> str | None:
    endings = ANXIOUS_ENDINGS + (ANXIOUS_QUESTION_ENDINGS if is_question_like(sentence) else [])
    return strip_trailing_punctuation(sentence) + rng.choice(endings)


def add_ending(sentence: str, endings: list[str], rng: random.Random) -> str | None:
    """Appends one of `endings`, never stacking a particle such as 啊 after another (吗啊, 吧呀)."""
    bare = strip_trailing_punctuation(sentence)
    if not bare:
        return None
    if bare[-1] in FINAL_PARTICLES or not re.search(r"[\u4e00-\u9fff]$", bare):
        endings = [ending for ending in endings if ending[0] not in FINAL_PARTICLES]
    return bare + rng.choice(endings)


def add_collections_ending(sentence: str, rng: random.Random) -> str | None:
    return add_ending(sentence, COLLECTIONS_ENDINGS, rng)


def add_somber_ending(sentence: str, rng: random.Random) -> str | None:
    return add_ending(sentence, SOMBER_ENDINGS, rng)


def add_short_ending(sentence: str, rng: random.Random) -> str | None:
    return add_ending(sentence, SHORT_ENDINGS, rng)


def add_short_filler(sentence: str, rng: random.Random) -> str | None:
    filler = rng.choice(SHORT_FILLERS)
    if sentence.startswith(filler):
        return None
    return filler + rng.choice(["，", "", " "]) + sentence


def double_short_reply(sentence: str, rng: random.Random) -> str | None:
    bare = strip_trailing_punctuation(sentence)
    if not bare or len(bare) > 2 or len(set(bare)) != len(bare) or not re.search(r"[\u4e00-\u9fff]", bare):
        return None
    return bare + bare


def transforms_for(intent: str, group: str) -> list[tuple[object, int]]:
    """The transforms an intent may use, each with a relative weight."""
    if intent in SHORT_REPLY_INTENTS:
        chosen = [(add_short_ending, 3), (add_short_filler, 3), (to_traditional, 3), (make_voice_transcript, 1)]
        if intent in DOUBLING_INTENTS:
            chosen.append((double_short_reply, 2))
        if intent in {"repeat", "goodbye", "deny"}:
            chosen.append((use_regional_wording, 1))
        return chosen
    chosen = [
        (add_voice_filler, 4),
        (make_voice_transcript, 3),
        (add_homophone_typo, 4),
        (to_traditional, 3),
        (use_pinyin_initials, 2),
        (mix_in_english, 2),
        (use_regional_wording, 2),
    ]
    if intent not in NO_POLITE_OPENING_INTENTS:
        chosen.append((add_polite_opening if group != "collections" else add_phone_opening, 3))
    if group == "service" and intent not in NO_POLITE_ENDING_INTENTS:
        chosen.append((add_polite_ending, 2))
    if group == "service":
        chosen.append((add_anxious_ending, 2))
    if group == "collections":
        chosen.append((add_somber_ending if intent in SOMBER_INTENTS else add_collections_ending, 2))
    return chosen


def normalized_form(sentence: str) -> str:
    """The form used to detect the same sentence under two intents: no punctuation, spaces or case, Simplified."""
    without_punctuation = re.sub(f"[{re.escape(PUNCTUATION_CHARACTERS)}\\s]+", "", sentence)
    return without_punctuation.lower().translate(SIMPLIFIED_CHARACTERS)


def read_intents() -> list[tuple[str, str]]:
    """Returns (intent id, group) pairs from intents.tsv, in file order."""
    rows = []
    for line in INTENTS_PATH.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            columns = line.split("\t")
            rows.append((columns[0], columns[1]))
    return rows


def generate_examples() -> list[dict[str, str]]:
    intents = read_intents()
    rng = random.Random(RANDOM_SEED)
    owner_of_normalized: dict[str, str] = {}
    for intent, sentences in CORE_SENTENCES.items():
        for sentence in sentences:
            owner_of_normalized.setdefault(normalized_form(sentence), intent)

    examples = []
    for intent, group in intents:
        core = CORE_SENTENCES[intent]
        target = TARGET_OVERRIDES.get(intent, DEFAULT_TARGET_PER_INTENT)
        weighted_transforms = transforms_for(intent, group)
        functions = [function for function, _ in weighted_transforms]
        weights = [weight for _, weight in weighted_transforms]
        texts = list(core)
        seen = set(core)
        uses_per_base = Counter()
        while len(texts) < target:
            progress = False
            bases = sorted(core, key=lambda sentence: (uses_per_base[sentence], rng.random()))
            for base in bases:
                if len(texts) >= target:
                    break
                for _ in range(6):
                    first, second = rng.choices(functions, weights=weights, k=2)
                    variant = first(base, rng)
                    if variant is not None and second is not first and rng.random() < 0.3:
                        variant = second(variant, rng) or variant
                    if variant is None:
                        continue
                    variant = re.sub(r" {2,}", " ", variant).strip()
                    owner = owner_of_normalized.get(normalized_form(variant), intent)
                    if not variant or variant in seen or owner != intent:
                        continue
                    owner_of_normalized[normalized_form(variant)] = intent
                    seen.add(variant)
                    texts.append(variant)
                    uses_per_base[base] += 1
                    progress = True
                    break
            if not progress:
                break
        examples.extend({"text": text, "intent": intent} for text in texts)
    rng.shuffle(examples)
    return examples


def check_core_sentences(intent_ids: list[str]) -> list[str]:
    problems = []
    for intent in intent_ids:
        sentences = CORE_SENTENCES.get(intent, [])
        if len(sentences) < MINIMUM_CORE_SENTENCES:
            problems.append(f"{intent}: only {len(sentences)} hand-written sentences")
        duplicates = [sentence for sentence, count in Counter(sentences).items() if count > 1]
        if duplicates:
            problems.append(f"{intent}: repeated hand-written sentences {duplicates}")
    unknown = set(CORE_SENTENCES) - set(intent_ids)
    if unknown:
        problems.append(f"sentences for unknown intents {sorted(unknown)}")
    owners = defaultdict(set)
    for intent, sentences in CORE_SENTENCES.items():
        for sentence in sentences:
            owners[normalized_form(sentence)].add(intent)
    for form, intents in owners.items():
        if len(intents) > 1:
            problems.append(f"'{form}' is written under several intents: {sorted(intents)}")
    return problems


def check_output_file(intent_ids: list[str]) -> list[str]:
    problems = []
    counts = Counter()
    texts = Counter()
    owners = defaultdict(set)
    for line_number, line in enumerate(OUTPUT_PATH.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"line {line_number}: not JSON ({error})")
            continue
        if not isinstance(record, dict) or set(record) != {"text", "intent"}:
            problems.append(f"line {line_number}: expected exactly the keys text and intent")
            continue
        text, intent = record["text"], record["intent"]
        if not isinstance(text, str) or not text or text != text.strip():
            problems.append(f"line {line_number}: empty or padded text")
        if intent not in intent_ids:
            problems.append(f"line {line_number}: unknown intent {intent}")
        if "\\u" in line:
            problems.append(f"line {line_number}: escaped characters instead of UTF-8")
        counts[intent] += 1
        texts[text] += 1
        owners[normalized_form(text)].add(intent)
    for intent in intent_ids:
        if counts[intent] == 0:
            problems.append(f"{intent}: no examples")
    for text, count in texts.items():
        if count > 1:
            problems.append(f"duplicate line text: {text}")
    for form, intents in owners.items():
        if len(intents) > 1:
            problems.append(f"'{form}' appears under several intents: {sorted(intents)}")
    print(f"{sum(counts.values())} examples, {len(counts)} intents")
    for intent in intent_ids:
        core = len(CORE_SENTENCES.get(intent, []))
        print(f"  {intent:28} {counts[intent]:4} lines ({core} hand-written)")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="validate the written file instead of writing it")
    arguments = parser.parse_args()
    intent_ids = [intent for intent, _ in read_intents()]
    problems = check_core_sentences(intent_ids)
    if not arguments.check and not problems:
        examples = generate_examples()
        with OUTPUT_PATH.open("w", encoding="utf-8") as output:
            for example in examples:
                output.write(json.dumps(example, ensure_ascii=False) + "\n")
        print(f"wrote {len(examples)} examples to {OUTPUT_PATH}")
    if arguments.check:
        problems += check_output_file(intent_ids)
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


# ---------------------------------------------------------------------------------------------------------------
# Hand-written core sentences, grouped by intent in the order of intents.tsv.
# ---------------------------------------------------------------------------------------------------------------

add("greeting", """
你好
您好
hi
hello
在吗
在不在
有人吗
喂
喂喂
喂，你好
嗨
哈喽
早上好
上午好
中午好
下午好
晚上好
你好呀
您好，客服
客服你好
客服在吗
请问有人在吗
哈喽哈喽
hi在吗
hello有人吗
你好，安心
安心客服您好
机器人你好
hey
nihao
早
早啊
早安
在么
亲，在吗
亲
嗯你好
哎你好
哎，您好
哈罗
嗨你好
你们好
你好啊
您好啊
在线吗
客服小姐姐在吗
打扰了，在吗
hello你好
hi你好
你好，我想问点事情
您好，咨询一下
有个问题想问问
新年好
过年好
有人没
有人在吗
喂，有人吗
你好，打扰了
""")

add("goodbye", """
再见
拜拜
拜
bye
byebye
886
88
好的再见
那就这样吧
就这样吧，挂了
先这样
先这样吧，拜拜
没事了，再见
没别的事了
没有其他问题了，再见
我挂了啊
挂了
我先挂了
行，那我先下了
下次再聊
回头再说吧，拜拜
好了就这些
好嘞，拜拜
再会
告辞
溜了
我走了
晚安
那就先这样，辛苦了再见
没问题了，结束吧
结束对话
结束
退出
不聊了
不聊了拜拜
好的，没有别的了
ok bye
see you
先不说了
我去忙了，再见
有事再找你们
有需要我再来问
改天再联系
嗯嗯好的再见
行了就这样
那先这样哈
回见
您忙吧，再见
不打扰了，再见
那我先下线了
关闭对话
到这里就可以了，再见
问完了，拜拜
没啥事了，挂了哈
就问这些，再见
""")

add("thanks", """
谢谢
谢谢你
谢谢您
多谢
感谢
非常感谢
太感谢了
谢啦
谢了
3q
thx
thanks
thank you
thank u
辛苦了
辛苦你了
麻烦你了，谢谢
好的谢谢
好的，谢谢啦
明白了，谢谢
知道了谢谢
懂了懂了，谢谢
谢谢你的帮助
感谢您的耐心解答
谢谢，帮大忙了
太好了，谢谢
谢谢，你们服务真好
感恩
感谢感谢
多谢多谢
万分感谢
非常感谢您的帮助
谢谢客服
谢谢小姐姐
谢谢机器人
ok thanks
好的 thx
解决了，谢谢
问题解决了，多谢
谢谢你这么耐心
谢谢啊
谢谢哈
麻烦了
有劳了
谢谢，清楚了
嗯嗯谢谢
ok谢谢
蟹蟹
谢谢亲
好的好的，感谢
您真好，谢谢
谢谢你们
感谢回复
收到，谢谢
谢谢你帮我查
感谢帮忙
""")

add("affirm", """
是
是的
是我
对
对的
对对对
嗯
嗯嗯
好
好的
好滴
好嘞
行
可以
没问题
OK
okk
yes
yep
对啊
是啊
没错
正确
确认
确定
同意
就是这样
就这个
嗯对
对，是我本人
是本人
好啊
行啊
中
要得
得嘞
成
妥
可以的
可以啊
当然
当然可以
那好吧
好吧
嗯，可以
嗯嗯对的
是这样的
没毛病
对头
是滴
确认无误
是的没错
yes yes
没错就是我
就这么办
按你说的来
我同意
好，就这个方案
嗯呐
嗯哪
可以可以
好好好
行行行
肯定的
对，就是那张卡
是的，我确认
sure
""")

add("deny", """
不是
不
不对
不用
不用了
不要
不需要
没有
没
no
nope
不行
不可以
算了
算了吧
不是的
不是这个
错了
说错了
不对不对
不不不
不用不用
不要了
暂时不用
先不用了
不需要了，谢谢
不了
不想
不同意
我不同意
否
没有没有
都不是
不是这样的
不太对
不是那个意思
不合适
这个不行
那不行
不用麻烦了
不办了
不考虑
不感兴趣
木有
没得
不得行
不中
不要不要
nah
No thanks
no no
不必了
免了
先不要
别了
不是那天
不确认
取消
不，换一个
不是这张卡
""")

add("repeat", """
什么
啥
啊？
再说一遍
再说一遍好吗
没听清
没听清楚
没听见
听不清
刚才说什么
你刚说啥
能重复一下吗
麻烦再讲一次
请再说一遍
再说一次
再讲一遍
重复一下
说慢点
你说慢一点，我没跟上
能说慢点吗
没听懂，再说一下
不好意思没听清
信号不好，你再说一遍
喂？听不清楚
声音太小了，再说一遍
你说的我没听明白，再说一次
刚刚那句再说一遍
刚那个数字再说一下
金额再说一遍
日期再讲一遍
哪天？再说一遍
多少？没听清
sorry没听清
pardon
what
again
再来一遍
重说
说啥呢，没听到
啥？你说啥
咋说的，再说一遍
俺没听清
嗯？你再说一下
你刚才说的是多少来着
上一句没看到
再发一遍
刚才那条再发一次
你重新说一下
卡了，没听到
断断续续的，再说一次
太快了没听清
呃，不好意思，你能再重复一次吗
前面的没听到
你说几号？
大点声
""")

add("inform", """
15号
尾号6789
下周五
两千
2000
3000块
明天
后天
月底
下个月5号
12月3日
工商银行
招行
建设银行
中国银行的卡
后四位1234
身份证后四位0917
后四位是123X
张伟
我叫李娜
王小明
13812345678
手机号13912345678
LN20261126001
借款编号LN20260301088
两千五
一千二百块
五百
1.2万
¥800
下午三点
上午
周六
这周日
三个月
半年
12期
6期
随借
分期
现金贷
杭州
浙江省杭州市西湖区文三路100号
zhangwei@example.com
邮箱是lina88@example.com
验证码是352816
352816
身份证号后四位是5678
是尾号3321那张
交通银行尾号0356
大概五千
三千左右
17号
8月8号
每月8号
二十号
上个月
昨天
上周四
农业银行
邮储
北京朝阳区
1500元
三千五
我姓陈，陈静
卡号后四位8812
""")

add("human_agent", """
转人工
人工
人工客服
我要人工
转人工客服
找真人
我要跟真人说话
有没有真人
不要机器人
不想跟机器人聊
你是机器人吧，给我转人工
叫你们客服出来
叫个人来
人工服务
接人工
请帮我转接人工客服
麻烦转一下人工，谢谢
能不能帮我接通人工客服
我想和客服人员直接沟通
机器人听不懂，转人工
说了半天没用，给我找个人
人工人工人工
zrg
转人工！！
有没有活人
怎么转人工
人工客服电话多少
客服热线是多少
人工在哪
能接人工吗
我要人工坐席
接线员
我要跟客服说
我要找客服小姐姐
real person please
human
agent
I want a human
转人工 please
给我转真人
别绕了，直接转人工
这个问题机器人解决不了吧，我要人工
太复杂了，找人工处理
我想跟工作人员谈
请安排人工客服联系我
有人工吗
人工客服在线吗
找个真人客服
你不行，换人
换个人跟我说
能不能让人来回答
帮我叫一下人工
俺要找人工
咋转人工啊
转接客服
人工服务怎么联系
你回答的都不对，我要和人说
按几转人工
""")

add("out_of_scope", """
今天天气怎么样
明天会下雨吗
北京今天多少度
讲个笑话
给我讲个笑话吧
你几岁了
你是男的女的
你喜欢什么颜色
你喜欢吃什么
推荐一只股票
茅台明天会涨吗
现在买黄金合适吗
比特币能买吗
帮我点个外卖
附近有什么好吃的
帮我叫个车
火车票怎么买
去成都的机票多少钱
帮我订个酒店
Python怎么读文件
这段代码为什么报错
怎么学Rust
写一首关于秋天的诗
帮我写个请假条
帮我翻译一下这句话
你会唱歌吗
唱首歌听听
今天星期几
现在几点了
世界杯谁赢了
NBA今天谁打谁
湖人赢了吗
推荐部电影
最近有什么好看的电视剧
怎么减肥
感冒了吃什么药
孩子发烧怎么办
红烧肉怎么做
西红柿炒鸡蛋先放什么
我失恋了，陪我聊聊天
你有男朋友吗
花呗怎么提额
京东白条怎么开通
微信零钱通收益多少
招商银行信用卡怎么提额
美团月付怎么关
借呗的利息是多少
帮我查下快递
我的快递到哪了
淘宝退货怎么弄
最新的iPhone多少钱
华为和小米哪个好
推荐个拍照好的手机
怎么考驾照
考研难吗
英语四级怎么过
1加1等于几
地球到月球多远
帮我算一下37乘以48
上海有什么好玩的
国庆去哪旅游
周末去哪玩
狗掉毛怎么办
猫不吃饭怎么办
多肉怎么养
房价还会跌吗
买房还是租房好
失眠怎么办
帮我给孩子起个名字
今天农历几号
明天限号吗
油价涨了没
节假日高速免费吗
社保怎么交
公积金怎么提取
个税怎么申报
怎么注册公司
你会下棋吗
陪我聊会天
无聊
哈哈哈
随便聊聊
你真可爱
你好笨
帮我写个Excel公式
word怎么转pdf
电脑蓝屏了怎么办
wifi连不上
手机内存满了怎么清理
抖音怎么开直播
微信怎么换头像
王者荣耀怎么上分
推荐几本书
三国演义作者是谁
李白是哪个朝代的
怎么做PPT
今天吃什么好
奶茶推荐一下
螺蛳粉好吃吗
明天适合搬家吗
我是什么星座
帮我算个命
双色球开奖了吗
what's the weather today
tell me a joke
recommend a movie
how to write a for loop in python
我想买车，哪款好
电动车还是油车好
高考分数什么时候出
春节放几天假
今年过年是哪天
帮我交电费
话费怎么充
流量不够用了
宽带怎么装
我想买份重疾险
基金亏了怎么办
帮我写个简历
怎么跟老板提加薪
女朋友生气了怎么哄
狗狗能吃葡萄吗
你支持哪个球队
你觉得AI会取代人类吗
帮我生成一张图片
SQL怎么去重
git怎么回退到上一个版本
Linux怎么查看端口占用
json格式怎么写
附近有没有加油站
肯德基疯狂星期四是哪天
帮我订明天晚上的电影票
深圳到广州高铁多久
你们老板是谁啊
你吃饭了吗
今天心情不好
""")

add("due_amount_query", """
这个月还多少
这期还多少
本期应还多少
这个月要还多少钱
这个月账单多少
本月账单
下次还款是哪天
哪天还款
几号还
还款日是几号
这期哪天到期
这个月几号扣款
我这个月应该还多少钱啊，几号之前要还
本期账单金额是多少
最近一期要还多少
这一期多少钱
下个月还多少
月供多少
应还金额
本期应还
这月要还的钱是多少
我的账单出来了吗，要还多少
这个月的账单什么时候出
最晚哪天还
最后还款日是哪天
我这期什么时候到期
到期日是哪天
今天要还款吗
今天是不是还款日
明天要扣多少钱
这期的钱是多少，我好准备
麻烦帮我查一下本期应还款金额和还款日期
您好，我想确认一下这个月安心随借需要还多少，是几号
我分期买的手机，这个月要还多少
安心分期这期还多少
随借这个月还款多少
这个月该还款了吧，多少钱
离还款日还有几天
15号要还多少
这期本金加利息一共多少
这个月bill多少
这个月due多少
我这个月欠多少
这个月要还多少钱来着
这期还款啥时候
账单日和还款日分别是哪天
下期还款日期
这期还差多少没还
这个月是还1200对吧
这个月是不是还856
帮我看看这期应还多少，我卡里只有两千
这个月还款日是15号吗
还款日是不是每月8号
你好，我下个月出差，想提前知道下期要还多少、哪天扣
两笔借款这个月一共要还多少
""")

add("schedule_query", """
还款计划
还款计划表
查看还款计划
我的还款计划是怎样的
还剩几期
还有几期
还剩多少期没还
我一共分了几期
总共几期，还了几期了
已经还了几期
最后一期是什么时候
什么时候能还完
还到哪一期了
每一期分别还多少
每期还多少钱，一共几期
能发一下完整的还款计划吗
我想看看后面每个月要还多少
12期还完了几期
我这个24期的还剩几期
分期明细
后面几期的金额一样吗
每期金额是固定的吗
还款期数
剩余期数
还有多少个月才还完
我还要还几个月
明年几月份能还完
还款计划在哪看
APP里怎么看还款计划
哪里可以看到所有期的账单
帮我列一下剩下每期的还款日期和金额
我的分期一共多少期
安心分期买的电脑还剩几期
随借那笔还有几期
我现在是第几期
下下期多少
后面三期分别多少
还款时间表
repayment schedule
还款schedule发我看看
俺还剩几期没还
咋看还款计划
啥时候能还完啊
到几月结束
最后一期几号
一共要还多少期，每期多少
我借了6期，现在还了几期了
能不能把每期还款日期都告诉我
还款计划可以导出吗
你好，麻烦给我发一下这笔借款的完整还款计划，我想做个记账
提前还了一部分以后，新的还款计划在哪看
每期的本金和利息各是多少，列个表给我
我想知道以后每个月的还款安排
""")

add("payoff_balance_query", """
还欠多少
一共还欠多少钱
剩余待还总额
总共还剩多少没还
今天结清要多少钱
现在全部还清需要多少
一次性还清多少钱
我想知道今天一次还完要多少
全部还完还差多少
剩下的本金还有多少
剩余本金
待还总额
还剩多少钱没还
我的loan还差多少
贷款余额多少
借款余额
欠款总额是多少
总共还要还多少
要是今天全部还掉得多少钱
如果这个月底一次结清是多少
结清金额是多少
提前结清的话一共要付多少钱
现在还清要付多少，含利息
连本带息还剩多少
还有多少没还
两笔加起来一共还欠多少
随借那笔还欠多少
分期那笔还剩多少钱
我还欠你们多少钱
到底还欠你们多少
总欠款
payoff amount多少
balance还剩多少
我借了一万，现在还欠多少
我还了5期了，还剩多少钱
全部结清一共多少钱
如果明天全还了要多少
俺还欠多少钱
还差多少就还完了
还差多少能结清
剩余应还
剩下的一共多少
一口气还完要多少
全还完多少钱
想一次性还完，给我个准数
帮我算一下今天结清的总金额
现在清账需要多少
您好，我想了解一下我名下借款目前的剩余待还总额
我在准备钱，想知道今天把剩下的一次还掉具体是多少，精确到分
本金还剩多少没还
剩余欠款
下周三全部还清的话是多少钱
""")

add("make_payment", """
我要还款
我想还款
现在还款
怎么还款
怎么还钱
在哪还款
还款入口在哪
立即还款在哪里
给我个还款链接
发个还款链接
能发个链接我还吗
我想现在就把这期还了
怎么主动还款
可以用支付宝还吗
能用微信还款吗
可以转账还款吗
对公账户是多少，我转账还
银行转账怎么还
还款账号是多少
能用信用卡还吗
我想还这个月的钱，怎么操作
App上怎么还款
在app哪里还钱
还款按钮在哪
手动还款
我要手动还
还款日还没到，能先把这期还了吗
我现在就还
立刻还款
我要还逾期的那笔
逾期的钱怎么还
怎么还逾期款
我要还钱，告诉我怎么还
还钱的地方在哪
去哪还
咋还钱
俺要还钱
还款方式有哪些
有哪些还款渠道
可以去银行柜台还吗
能用现金还吗
hk
pay now
我要repay
给我payment link
麻烦发一下本期的还款链接到我手机上
我想还1500，怎么付
还款是在我的借款里面吗
转账还款要备注什么
能让别人帮我还吗
用我老婆的卡帮我还可以吗
您好，我这个月想自己手动还款，不等自动扣了，请问在app里怎么操作
钱准备好了，现在怎么还
""")

add("already_paid", """
我已经还了
我还了啊
已经还款了，怎么还显示未还
我昨天就还了，为什么还显示逾期
钱已经转过去了，怎么没入账
还款了没到账
还款未入账
我转账还款了，还没显示
明明还了，怎么还提示我还款
我都还了还给我发催款短信
早上已经还了，为什么状态没变
还了款app里还是待还
扣款成功了但是账单没更新
银行卡已经扣钱了，你们那边显示没还
我已经通过银行转账还了，附言写了借款编号
上周五就转了2000，到现在还没入账
还款显示处理中
还款一直在处理中
还款状态一直没更新
我还完了怎么还有待还
已经还了为啥还打电话催我
刚刚还了，显示还没还
付款成功了但没销账
钱扣了，账没销
还款记录里没有我那笔
我有转账凭证，已经还了
我有截图，钱已经打过去了
给你们对公账户转了钱，怎么没到
我已经提前还了，怎么还显示这期要还
已经还清了怎么还显示有欠款
我昨天晚上11点还的，现在还是逾期状态
我还了啊，你查一下
我已经还款了，请核实
还过了
早还了
已还
I already paid
paid了还显示unpaid
俺都还了咋还显示没还
咋回事，还了钱显示没还
我在还款日当天还的，怎么算我逾期
银行说钱转出去了，你们说没收到
还了3000只显示还了1000
还款成功短信都收到了，app还是显示待还
用微信还的，钱扣了但是订单没变
我让家人帮我还了，怎么没到账
我已经还了这期，麻烦帮我查一下为什么没入账，谢谢
那个钱我上午就转了
我前天就还上了，今天又收到逾期提醒，到底有没有收到
""")

add("autodebit_failed", """
自动扣款失败
扣款失败
扣款没成功
没扣成功
为什么没扣款
卡里有钱为啥没扣
自动扣款怎么没扣
今天没自动扣钱
扣款失败了怎么办
扣款失败会算逾期吗
代扣失败
划扣失败
扣款失败提示余额不足，但我卡里有钱
银行卡扣款失败，显示超出限额
提示交易受限扣不了款
autopay失败了
autopay没扣
自动还款没成功
自动还款失败了
收到短信说扣款失败
今天早上收到扣款失败通知
能不能再扣一次
扣款失败还会再扣吗
什么时候会再扣
晚上还会再扣吗
今天还会重试扣款吗
我刚存了钱，还会自动扣吗
钱我存进去了，你们再扣一次吧
卡里有钱但是扣款失败了，会不会算我逾期
扣款失败是不是因为卡被冻结了
为什么我的建设银行卡扣不了款
工行卡扣款失败
尾号3321的卡扣款失败
到期日没扣钱
过了还款日也没扣我钱
是不是没扣上
怎么没从我卡里扣
你们系统没扣款，不能算我逾期吧
没扣到款怎么办
扣款不成功
代扣不成功是什么原因
卡上余额够的，为什么扣款失败
扣款失败原因
俺卡里有钱咋没扣
今天应该扣款的，到现在也没扣
扣了三次都没成功
单笔限额不够，扣款失败了
扣款失败了，帮我看看什么原因
您好，我今天的自动扣款失败了，卡里余额是足够的，麻烦查一下原因
早上六点那次没扣成功，下午还扣不扣
扣款失败，现在手动还还来得及吗，不会算逾期吧
""")

add("autodebit_manage", """
开通自动扣款
关闭自动扣款
怎么开通自动还款
怎么关掉自动扣款
取消自动扣款
我不想自动扣款了
不要自动扣我钱
开通代扣
关闭代扣
取消代扣授权
代扣怎么设置
自动还款在哪设置
能设置自动还款吗
帮我开一下自动扣款
帮我关一下自动扣款
我要手动还，别自动扣
autopay怎么开
关掉autopay
turn off autopay
自动扣款能关吗
自动扣款可以取消吗
能不能不自动扣款
我想开启自动还款功能
自动还款开关在哪
解除代扣协议
签约代扣
我的自动扣款开通了没有
查一下有没有开自动扣款
怎么确认自动扣款已经开通
以后每个月自动扣就行，怎么设置
我怕忘了还，能每月自动扣吗
暂停自动扣款
这个月先别自动扣
停掉代扣
代扣授权怎么撤销
自动扣款是默认开的吗
开通自动扣款要收费吗
招行卡能开自动扣款吗
哪些银行支持自动扣款
邮储银行支持代扣吗
俺想把自动扣款关了
咋关自动扣款
自动扣款我要关闭，谢谢
我不同意你们自动从我卡里扣钱
别从我卡里自动划钱了
关闭自动划扣
您好，请问怎么在app里开通自动扣款功能
想设置到期自动还款
自动扣款是几点扣
兴业银行的卡可以设置自动还款吗
我想改成每次自己手动还，自动扣款帮我取消掉
""")

add("change_bank_card", """
换卡
换银行卡
更换还款卡
我要换一张卡还款
怎么换绑银行卡
重新绑定银行卡
解绑银行卡
我的卡注销了，要换一张
卡丢了，怎么换卡
换绑卡
还款卡怎么改
修改还款银行卡
绑一张新卡
添加银行卡
怎么添加新的银行卡
我想把还款卡换成招行的
换成工商银行的卡
把尾号8812的卡换掉
原来那张卡不用了
原来的卡被冻结了，换张卡
这张卡单笔限额太低，想换一张
银行卡过期了怎么办
换卡以后马上生效吗
新卡绑了以后下个月从新卡扣吗
能不能用别的卡扣款
设置默认还款卡
怎么设置成还款卡
默认扣款卡改一下
换个卡扣钱
绑卡失败
绑不上新卡
新卡绑定不了
绑卡提示信息不一致
换卡需要什么
我换了工作，工资卡变了，还款卡也要换
工资卡换了
change card
换张card
还款卡换掉
卡挂失了，要换绑
删除旧卡
删掉原来的银行卡
可以绑两张卡吗
俺想换张卡
咋换卡
换个银行卡咋弄
还款日当天能换卡吗
今天晚上换卡来得及吗，明天扣款
麻烦问一下，我想把还款账户改成建设银行尾号0356的储蓄卡，怎么操作
以后从我中信的卡扣，别用原来那张
绑新卡要验证码吗
""")

add("partial_prepay", """
提前还一部分
提前还部分本金
可以提前还一部分吗
部分提前还款
我想先提前还一部分本金
多还一点本金可以吗
提前还5000本金
提前还款一部分行不行
能不能提前还掉一半本金
手里有笔闲钱，想提前还一部分
年终奖发了想提前还点本金
提前还一部分以后每期还多少
部分提前还款后期数会减少吗
提前还一部分能少付利息吗
提前还部分本金有手续费吗
部分提前还款最少还多少
部分提前还款怎么操作
app里哪里可以提前还一部分
我想额外多还点本金
这个月多还两千本金
除了这期，再多还3000冲本金
提前还一部分，不全部结清
不想全部结清，只想提前还一部分
分期能部分提前还吗
安心分期可以提前还部分吗
随借能部分提前还款吗
提前还一万本金
想提前还个两三万本金
partial prepayment
prepay一部分
想prepay 5000
提前还本金
提前还一部分本金减少利息
多还的钱会算成本金吗
提前还部分会缩短期限吗
提前还一部分，是缩短期数还是减少月供
借款刚一个月，提前还一部分要收费吗
俺想提前还点本金
咋提前还一部分
提前还一点行吗
我想提前还款，但不是全部
部分结清
能不能只还一部分本金，剩下的照常分期
我有8000块闲钱，能提前还进去抵本金吗
提前还款可以还一部分吗
提前还款必须全部还清吗
您好，我这笔随借借了两万，现在想提前偿还其中一万本金，请问怎么操作
部分提前还了以后月供会变吗
提前还两千本金后，后面每期是不是还一样多
""")

add("early_settlement", """
提前结清
我想提前结清
提前还清
提前全部还完
一次性还清可以吗
提前结清有手续费吗
提前结清要违约金吗
提前还款有违约金吗
提前结清利息怎么算
提前还完利息还要付吗
提前结清还收后面的利息吗
提前结清怎么操作
在哪里提前结清
怎么办理提前结清
我要把贷款全部还掉
想把钱一次还完，不想分期了
提前结清划算吗
借了两个月提前结清要收费吗
三个月内结清收2%吗
提前结清手续费多少
提前还清要多付什么钱
分期提前结清要付手续费吗
安心分期提前还清还要交服务费吗
随借能提前结清吗
可以随时结清吗
early settlement
我想settle the loan early
提前settle
提前还款
申请提前还款
我要提前还款
提前还款流程
提前还款怎么收费
提前全部还清，后面的利息免吗
钱够了想直接结清
直接全部结清
把剩下的全还了，怎么弄
剩下的几期我一次还了
不想拖了，全还了
俺想一次性还完
咋提前还清
提前结清后多久能显示结清
提前结清需要申请吗
提前结清需要打电话吗
提前还清不收违约金吧
今天提前结清，明天的扣款还会扣吗
我这笔贷款想提前还清，需要付哪些费用
您好，我想咨询一下提前结清的规则和费用
借了半年了，现在结清还要手续费吗
提前结清的话，利息是算到哪天
""")

add("rate_apr_query", """
利率多少
年化利率是多少
年利率
利息多少
利息怎么算
我的利率是多少
综合年化成本多少
APR多少
年化多少
日利率多少
月利率多少
利息高不高
借一万一年利息多少
借5000分12期利息多少钱
一万块一天利息多少
日息多少
利率是固定的吗
利率会变吗
为什么我的利率比别人高
利率是按什么定的
年化超过24%了吗
实际年化多少
真实利率是多少
IRR多少
分期的费率是多少
安心分期有利息吗
安心分期的年化是多少
随借的利率范围
最低利率多少
利率能降吗
interest rate多少
rate是多少
APR是多少啊
我这笔的年化利率
利息按月算还是按天算
利息是按剩余本金算的吗
综合成本包括哪些
借款综合成本
利息咋算的
俺这利息是多少
啥利率
利息贵不贵
合同上写的利率是多少
年化7.2%是真的吗
23.9%是年利率吗
利率是单利还是复利
我的日利率是0.05%吗
您好，请问我这笔随借的年化利率和综合年化成本分别是多少
借两万分24期，年化大概多少
利息是一天一天算吗
月服务费0.6%折成年化是多少
我想先知道利率再决定借不借
""")

add("fee_breakdown", """
费用明细
都收了哪些费用
有什么费用
服务费是什么
为什么收服务费
担保费是什么
有没有担保费
罚息怎么算
罚息多少
滞纳金多少
有滞纳金吗
逾期费用怎么算
这个月多了一笔费用是什么
账单里的其他费用是什么
这个手续费是什么钱
这50块是什么费用
除了利息还有什么费用
费用构成
本期费用明细
帮我列一下本期的本金、利息、费用
服务费每月多少
月服务费怎么算
分期服务费多少
罚息是按什么算的
逾期一天罚多少
宽限期内有罚息吗
违约金是什么
有没有隐藏费用
会不会有其他收费
还有别的钱要交吗
有没有账户管理费
有没有会员费
借款要交什么手续费
放款有手续费吗
有没有砍头息
fee明细
fees有哪些
service fee是什么
罚息加滞纳金一共多少
我逾期了，罚息多少
俺这个罚息咋算的
咋还有服务费
啥是担保费
费用这么多，列清楚都是啥
我想看看每笔费用分别是多少
还款明细里的费用项看不懂
为什么每期除了本金利息还有一项费用
您好，麻烦把我这笔借款涉及的所有费用逐项列一下
逾期五天罚息怎么算的，按本金还是按全部
这期账单里的罚息是多少
本期应还里面利息和服务费各多少
""")

add("refund_overcharge", """
多扣款了
多扣了我钱
重复扣款
扣了两次
一期扣了两次
怎么扣了我两遍
退款
我要退款
多扣的钱退给我
多还的钱怎么退
我多还了500，能退吗
还款多还了怎么办
扣多了
扣错了，扣了我不该扣的钱
今天扣了两笔一样的
银行卡被扣了两次1230
同一天扣了两次款
我手动还了，又自动扣了一次
手动还款后又被扣了一次
重复还款了，退钱
多扣的钱什么时候退
退款多久到账
退款到哪张卡
退款还没收到
说好的退款怎么还没到
结清了还在扣钱
已经结清了为什么还扣款
还完了还扣我钱
扣款金额不对，多扣了
比账单多扣了200
提前结清多付的钱能退吗
double charge
被扣了两次，refund
多扣了怎么退
俺被扣了两回
咋扣了我两次钱
退钱！
赶紧把多扣的钱退给我
你们重复扣款，给个说法
退回多扣款
申请退款
溢缴款怎么退
多还的部分退回原卡吗
卡里一下少了两次还款的钱
您好，我这个月的还款被重复扣了两次，每次856元，请尽快退还其中一笔
我多转了一千，麻烦退回来
多扣了钱给我退回来
退款退到哪里了，七个工作日了还没看到
两张卡都被扣了这期的钱
""")

add("application_status", """
审核到哪了
我的申请怎么样了
申请进度
借款申请进度
审核进度
审核要多久
还在审核中
一直在审核中
审核多久出结果
申请提交了多久能批
我的借款批了吗
批下来没有
通过了吗
审核通过没
结果出来了吗
怎么还没审核完
都两个小时了还在审核
昨天申请的现在还没结果
申请了一天了还没动静
审核中是什么意思
我的分期申请审核到哪一步了
随借申请到什么进度了
提交资料了，在等审核
还需要补充资料吗
为什么要人工审核
人工审核要多久
审核状态
申请状态怎么查
在哪看申请进度
application status
我的申请status
申请到哪一步了
帮我催一下审核
能加急审核吗
审核快点行吗，急用钱
俺那个申请咋样了
申请了咋没消息
啥时候审核完
审核结果会短信通知吗
今天能批下来吗
周末审核吗
我刚申请了2万，大概多久有结果
申请编号LN20261126001，麻烦查一下进度
您好，我今天上午提交了借款申请，请问现在审核到哪一步了
为啥一直显示审核中
审核通过的话会通知我吗
提交了申请没反应
资料审核通过没有
半小时了还没出审核结果
我昨晚提交的分期申请，现在还显示待审核
""")

add("rejection_reason", """
为什么被拒
为什么申请被拒了
为什么不给我批
怎么没通过
审核没通过是什么原因
拒绝原因是什么
凭什么拒我
为什么拒贷
我征信挺好的，为什么不批
我有工作有收入，为什么不通过
被拒了什么原因
拒绝了能告诉我原因吗
申请失败是什么原因
综合评分不足是什么意思
显示综合评分不足
为什么说我资质不符
被拒了多久能再申请
被拒以后什么时候可以重新申请
30天后能再申请吗
被拒了还能申请吗
怎么样才能通过
拒了，能不能再审一次
能重新审核一下吗
我朋友都批了我怎么没批
老用户也被拒
以前都能借，这次怎么被拒了
为什么这次借款没通过
为啥不给批
咋又被拒了
俺为啥没通过
啥原因不给借
申请被拒绝了
rejected了
为啥rejected
申请declined是什么原因
系统秒拒
秒拒是什么原因
刚申请就被拒了
为什么审核不通过
申请分期被拒
买手机分期被拒了
随借申请没通过为什么
是不是因为我有逾期才拒的
是不是我负债太高
被拒是因为什么
没批下来什么原因
您好，我的借款申请显示未通过，想了解一下是哪方面的原因，方便我改进
怎么提高通过率
不通过能申诉吗
是不是因为我工作时间太短才没批
""")

add("disbursement_missing", """
钱没到账
审批通过了钱还没到
放款了没到账
款还没打过来
显示放款成功但卡里没钱
借款到账了吗
什么时候到账
多久到账
批了但没收到钱
通过了为什么还没放款
一直显示放款中
放款失败
放款失败怎么办
钱去哪了
借的钱没收到
两个小时了还没到账
昨天批的今天还没到
审核通过了，钱呢
显示已放款，银行卡没收到
钱打到哪张卡了
放款到哪个卡
分期通过了商家说没收到钱
商家没收到款
钱怎么还没到
放款太慢了
赶紧放款
什么时候放款
我急用钱，怎么还没到账
loan批了钱没到
钱没到，disbursed了吗
俺的钱咋还没到
咋还不放款
借了5000还没到卡上
工商银行卡没收到放款
尾号2231的卡没收到钱
到账短信没收到
提示放款成功，银行没入账
钱是不是打错卡了
放款被退回了
周末放款吗
放款要等一个工作日吗
通过好几个小时了钱还没到
您好，我的借款下午两点审批通过了，到现在银行卡还没收到钱，麻烦查一下
借款成功了但是钱没到
还没放款吗
批了三千，卡里一分没见到
放款中是什么意思，要等多久
通过了，钱呢，等着用呢
""")

add("limit_query", """
额度
我的额度
额度多少
查额度
查询额度
可用额度
总额度多少
我还有多少额度
还能借多少
最多能借多少
我的可借额度
剩余额度
可用额度是多少
额度是多少啊
我的信用额度
授信额度
额度有多少
能借多少钱
还可以借多少
额度怎么看
在哪查额度
额度在哪里看
我有额度吗
我有没有额度
为什么可用额度比总额度少
总额度和可用额度分别是多少
还了款额度恢复了吗
额度用了多少
额度还剩多少
limit多少
我的limit
credit limit
俺有多少额度
能贷多少
分期额度多少
随借额度多少
买东西能分期多少
我这额度能借两万吗
额度够借3万吗
为什么额度变少了
额度降了
额度怎么变了
测一下额度
看看能借多少
你好，麻烦帮我查一下我现在的总额度和可用额度
我想知道我的借款额度
还有额度吗
这个月额度有没有变化
刚还了一期，现在还能借多少
想借五千，看看额度够不够
""")

add("limit_increase", """
提额
提高额度
申请提额
怎么提额
额度太低了
额度能提高吗
能不能给我加点额度
额度不够用
怎么提升额度
我想要更高的额度
提额要什么条件
多久能提额
什么时候能提额
我按时还了半年了，能提额吗
申请提高额度
能给个临时额度吗
提额到5万
额度能提到两万吗
想把额度提到3万
提一下额度
帮我提额
额度太少了，加一点
提额申请
提额多久有结果
提额被拒了
为什么不给我提额
怎么才能提额
上传资料能提额吗
补充收入证明可以提额吗
公积金能提额吗
还款记录好能提额吗
limit increase
提高limit
limit太低了，能加吗
俺想提额
咋提额
啥时候给我提额
额度咋这么低，能调高吗
能不能多给点额度
要借5万，额度不够，能提吗
我需要更多额度
提额有没有手续费
主动申请提额
系统会自动提额吗
每个月会自动提额吗
您好，我在你们这按时还款一年多了，想申请提高一下额度
调高额度
额度上调
连续六期按时还款了，可以申请提额了吧
装修要用钱，额度能不能提到三万
""")

add("limit_frozen", """
额度被冻结了
额度冻结
额度冻结了怎么办
借不出来钱
借不了款
为什么借不了
不能借款了
额度显示冻结
额度不可用
额度暂不可用
为什么冻结我额度
额度什么时候解冻
怎么解冻
解冻额度
我还清了逾期，额度怎么还没解冻
有额度但是借不出来
有额度借不了
点借款没反应，提示暂时无法借款
提示暂不支持借款
额度被关闭了
额度没了
额度清零了
额度变成0了
为什么额度被冻结
额度被锁了
额度冻了
冻结多久
多久能解冻
解冻要多久
逾期还了能恢复借款吗
额度被暂停了
暂停借款了
借款功能被关了
limit被冻结了
limit frozen
额度freeze了
俺额度咋冻住了
咋借不出来钱了
额度咋用不了了
啥时候能解冻
我没逾期为什么冻结
明明有额度就是提现不了
提现失败，额度冻结
借款按钮是灰的
可用额度显示0
额度还在就是不让借
您好，我的额度突然被冻结了，我从来没有逾期过，想问一下原因和解冻时间
冻结的额度还能恢复吗
额度封了
逾期那期昨天已经补上了，什么时候能重新借
借款账户被冻结，借不了钱
""")

add("settlement_certificate", """
结清证明
开结清证明
我要开结清证明
怎么开结清证明
结清证明在哪开
结清证明怎么申请
申请结清证明
我已经还完了，需要一个结清证明
结清了，给我开个证明
开具结清证明
还清证明
贷款结清证明
结清凭证
需要一份结清证明用来办房贷
银行要我提供结清证明
买房要结清证明
结清证明多久能出
结清证明发到哪
结清证明会发邮箱吗
结清证明是PDF吗
结清证明要盖章吗
结清证明能寄纸质的吗
能开无欠款证明吗
开一个已还清的证明
证明我已经还清了
结清证明收不到
结清证明还没收到
结清证明怎么下载
结清证明没发到邮箱
还没结清能开证明吗
结清证明开出来要多久
settlement certificate
payoff letter
俺要个结清证明
咋开结清证明
啥时候能拿到结清证明
两笔都结清了，都要开证明
结清证明能开几份
结清证明上有身份证号吗
开个结清证明，办车贷要用
您好，我的随借已经全部还清了，麻烦帮我开具一份结清证明发到邮箱
结清了要个证明
提前结清了能开证明吗
房贷经理要你们出个还清的证明
结清证明邮箱填错了能重发吗
去年结清的那笔，现在还能补开证明吗
""")

add("contract_invoice", """
借款合同
合同在哪看
我要看合同
查看合同
下载合同
合同怎么下载
借款合同在哪里
电子合同
合同发我一份
给我发一份借款合同
能不能寄纸质合同
合同有纸质版吗
要一份盖章的合同
发票
开发票
我要开发票
服务费能开发票吗
怎么开发票
发票怎么申请
开票
申请开票
发票多久能开好
发票抬头怎么填
能开增值税发票吗
专票还是普票
发票发到哪
发票没收到
电子发票
利息能开发票吗
分期服务费开票
合同编号是多少
合同号在哪看
借款协议
借款协议在哪
签的合同能再看一下吗
我想看看当时签的合同条款
contract
invoice
要invoice
合同pdf
俺要合同
咋下载合同
咋开票
啥时候能开好发票
公司报销需要发票
给我开个服务费发票，抬头是个人
您好，请问在哪里可以下载我这笔借款的电子合同
合同找不到了
单位财务要看借款合同的复印件
打官司要用合同，怎么拿
""")

add("credit_report_question", """
上征信吗
会上征信吗
你们上征信吗
借款会上征信吗
逾期会上征信吗
逾期几天上征信
晚还一天上征信吗
宽限期内还会上征信吗
什么时候上报征信
多久上报一次征信
征信多久更新
影响征信吗
会不会影响征信
借了你们的钱影响我办房贷吗
申请会查征信吗
查询记录会上征信吗
征信上显示的是哪家机构
征信报告上能看到这笔吗
结清以后征信什么时候显示结清
接入的是人行征信吗
上的是哪个征信
逾期了征信会有记录吗
逾期记录会保留几年
提前还会影响征信吗
多借几次影响征信吗
上不上征信
走征信吗
征信
credit report
会上credit report吗
影响credit吗
俺这个上征信不
啥时候上征信
这个贷款在征信上显示成什么
征信上显示的额度是多少
还款记录报给征信吗
按时还款对征信有好处吗
逾期两天会上征信吗
还款日当天晚上还，算不算逾期上征信
您好，想问一下我在你们这的借款是否会报送人行征信，多久报一次
我要买房，你们这笔会在征信上显示吗
被拒了会不会在征信上留记录
结清了以后征信多久更新
征信一个月报一次吗
征信上会显示分期还是贷款
晚了三天还，征信会不会花
我是第一次借，这个会不会让我有征信记录
征信报送的是本金还是全部欠款
人民银行征信能查到你们吗
""")

add("credit_report_dispute", """
征信有误
征信记录错了
我的征信有逾期记录，但我没逾期
征信上有一笔逾期是错的
征信异议
申请征信异议
我要提征信异议
征信显示逾期，但我是按时还的
已经结清了，征信还显示未结清
征信上的金额不对
征信记录不对
征信显示的欠款金额错误
帮我修改征信
删除错误的征信记录
逾期记录不是我的原因，是你们扣款失败导致的
因为系统问题导致逾期，要求修改征信
征信报告显示我有两笔借款，我只借了一笔
征信报告里状态不对
当时不是我的问题，征信上的逾期能不能撤销
征信上报错了
你们报错征信了
征信错误
征信纠错
你们乱上征信，必须改过来
征信异议多久处理
异议申请提交了多久有结果
能帮我把错报的逾期记录撤掉吗
宽限期内还的为什么上了征信
我在宽限期还款了，征信却显示逾期
征信显示我逾期了30天，实际只有2天
credit report有错
征信report错了
dispute征信
俺征信有问题，你们报错了
咋给我报了逾期
啥时候能改正征信
征信显示的结清日期不对
征信上的还款状态错了
去银行打了征信，上面写我逾期，明明没有
征信显示逾期影响我贷款了，你们要负责更正
我申请房贷被拒了，因为你们报的逾期是错的
异议
要求更正信用报告
您好，我在人行打印的征信报告上显示贵公司有一笔逾期记录，但我从未逾期，请核实并更正
征信有问题
上个月提的异议到现在二十天了还没回复
我要对征信上的这条记录提出异议
""")

add("update_profile", """
修改手机号
换手机号
改绑手机号
手机号换了
我换号了
更新手机号码
修改地址
改地址
家庭地址变了
搬家了要改地址
修改工作单位
换工作了，单位要改
改一下公司信息
修改个人信息
个人资料怎么改
修改邮箱
邮箱填错了
更换邮箱
紧急联系人怎么改
修改紧急联系人
换联系人
我想改一下联系人信息
收入信息要更新
职业信息修改
婚姻状况改一下
名字改了怎么办
身份证过期了，怎么更新
身份证换新了，要重新上传吗
更新身份证
修改学历
住址填错了
单位电话改一下
联系方式变了
原手机号不用了，怎么换绑
旧手机号注销了
update phone number
改email
俺换手机号了
咋改地址
啥地方能改资料
在哪里修改个人信息
资料填错了，能改吗
能帮我把地址改成杭州市西湖区吗
我的新号码是13912345678，帮我更新一下
工作单位改成现在的公司
换了新单位，收入也涨了，要更新一下资料
个人信息修改
信息变更
您好，我手机号码换了，之前的号码已经不用了，请问怎么更换绑定的手机号
结婚了，婚姻状况和联系人都要改
结清证明要发的邮箱改成新的
""")

add("account_closure", """
注销账户
注销账号
我要注销
怎么注销
账户注销
销户
我要销户
删除我的个人信息
删除我的数据
删除个人资料
把我的信息删了
不用了，把账号注销
以后不用了，注销吧
怎么注销安心账号
注销需要什么条件
注销要多久
能注销吗
注销后信息会删除吗
注销了还能再注册吗
账号注销不了
为什么不能注销
注销按钮在哪
注销入口在哪里
我不想用你们的app了，帐号给我删掉
卸载了app，账户要注销吗
清除我的个人信息
撤回授权，删除信息
撤回个人信息授权
delete my account
注销account
删号
我要删号
俺要注销
咋注销
啥时候能注销好
借款都还清了，我要注销账户
结清了，账户也注销了吧
永久注销
关闭账户
关闭账号
停用账号
注销以后你们还保留我的资料吗
您好，我的借款已经全部结清，申请注销账户并删除我的个人信息
把我的身份证信息删除
我的人脸照片能删掉吗
提示有退款没完成不能注销，怎么办
注销后还能查到以前的借款记录吗
""")

add("login_security", """
登录不了
登不上
无法登录
登录失败
密码忘了
忘记密码
重置密码
改密码
修改登录密码
修改交易密码
交易密码忘了
收不到验证码
验证码收不到
验证码一直不来
验证码错误
验证码过期
换手机登录
换设备登录
换了新手机登不上
新手机登录要验证
人脸识别不了
人脸识别失败
刷脸过不去
账号被锁了
账号锁定了
密码输错次数太多被锁
登录提示异常
收到异地登录提醒，是不是被盗了
app闪退登不上
一直提示网络异常登录不了
手势密码忘了
指纹登录怎么设置
初始密码是多少
怎么设置密码
短信验证码没收到
语音验证码
login不了
password忘了
俺登不上去了
咋登录不上
啥验证码，我没收到
验证码发到旧手机了
输了验证码还是登不上
密码对的就是登不进去
登录页面一直转圈
您好，我换了新手机后一直登录不了，验证码也收不到
被踢下线了
提示在其他设备登录
怎么退出其他设备登录
我爸帮我注册的，密码不知道
登录的时候说账号不存在
""")

add("fraud_report", """
我没借过钱，怎么有我的借款
这笔借款不是我借的
有人冒用我的身份借款
被人冒名借款了
我的身份证被人盗用了
不是本人操作
非本人操作
我被骗了
被骗了怎么办
有人冒充你们公司骗了我钱
有人冒充安心客服让我转账
有人冒充安心消费金融打电话要我转钱到个人账户
接到自称安心的电话说要注销校园贷账户，要我转钱
有人说能帮我提额，要我先交钱，结果人跑了
有个人说能帮我消除逾期，收了我500
我手机丢了，有人用我手机借款
我没申请过，怎么有一笔借款
莫名其妙多了一笔贷款
我的账户被人盗了借了钱
有人用我信息注册了你们的账号
我从来没在你们这注册过，怎么会有借款
我要报警，有人冒名贷款
冒名贷款
盗用身份证借款
网上有人冒充你们
下载了一个假冒安心的app，被骗了
加了一个自称安心的QQ群，被骗了
有人说是你们客服，让我下载会议软件共享屏幕
对方让我把钱转到个人账户说是还款，转完才发现不对
我转了3000给自称催收的人
被诈骗了
诈骗
我被scam了
有人冒充你们，我要报案
俺被骗了
咋有一笔我不知道的借款
我根本没借，哪来的借款
我老公偷偷用我身份证借的，我不知道
不是我本人申请的
不是我签的合同
这不是我的贷款，是别人冒名的
账户里多了一笔我没借的钱
有人冒充你们给我发短信要验证码
收到冒充你们的钓鱼链接，差点被骗
有人拿我信息借钱了
您好，我发现名下有一笔安心随借的借款，但我本人从未申请过，怀疑被人冒用身份
冒用身份
有人打电话自称你们员工，让我把钱打到他个人卡上才能降利息，我已经打了
fraud
""")

add("promo_query", """
有优惠券吗
免息券
有没有免息券
有什么活动
最近有活动吗
新用户有优惠吗
优惠券怎么用
优惠券在哪
我的优惠券呢
免息券怎么领
免息券怎么用不了
免息券过期了
优惠券能叠加吗
两张券能一起用吗
利息打折券
有没有利率优惠
借款有优惠吗
分期免息活动
有没有免息分期
邀请好友有奖励吗
邀请码在哪
推荐有奖
签到领券
会员权益
积分能抵利息吗
双十一有活动吗
618分期有免息吗
领的券去哪了
券没了
券用不上
优惠券为什么不能用
coupon
有coupon吗
promo code
俺有券没
咋领券
啥活动
免息30天是真的吗
首借免息
首次借款优惠
老用户有福利吗
降息券
利率优惠券怎么领
短信说送我一张免息券，在哪
您好，我看到推送说有新人免息活动，请问我能参加吗
优惠
活动规则是什么
免息券借款的时候怎么选
券的有效期多久
已经借了，还能补用免息券吗
""")

add("marketing_optout", """
别给我发短信了
不要再发营销短信
别再推销了
不要给我打推销电话
退订
TD
退订短信
不要发广告了
天天发广告烦死了
别发借款广告了
不要再推荐贷款给我
不要营销电话
我不借钱，别再给我推销了
拒收营销短信
关闭营销推送
关闭推送
app推送太多了，怎么关
不要给我发优惠信息
别再发提额短信了
我不想收到你们的活动通知
取消订阅
unsubscribe
stop sending ads
把我从营销名单里删了
别打营销电话，我不感兴趣
一天三条广告短信，有完没完
推销电话太多了
别推了
俺不要你们的广告
咋退订短信
退订怎么操作
回复TD有用吗
退订了还在发
已经退订了为什么还收到短信
不要再打电话问我要不要借款
不需要你们的贷款服务，别打电话推销
营销短信退订
关闭个性化推荐
不接受营销
电话营销别打了
您好，请不要再给我发送任何营销推广短信，谢谢
邮件广告也别发了
微信公众号推送关掉
不要再给我发免息券的短信了
我没注册过也天天收到你们的借款广告
还款提醒留着，广告短信给我停了
""")

add("complaint", """
我要投诉
投诉
投诉你们
我要投诉你们的服务
客服态度太差了，我要投诉
你们服务太差了
收费不合理，我要投诉
乱收费
利息太高了，我要投诉
你们这是高利贷
流程太麻烦了
审核太慢，投诉
打了三次客服都没解决
问题一直没解决，我要投诉
投诉电话多少
投诉渠道
怎么投诉
我要向金融监管部门投诉
我要去12378投诉你们
我要打12315
我要在网上曝光你们
app太难用了
APP老是出bug
客服一直推诿
你们的机器人太蠢了
我要求处理结果
投诉处理到哪了
投诉多久有结果
之前投诉的事情怎么样了
你们不给说法我就投诉
借款时被强制搭售保险
借款时被搭售会员
捆绑销售
服务费根本没说清楚就收了
合同里的费用没告知
我很不满意
非常不满
给你们差评
complaint
我要complain
投诉投诉投诉
俺要投诉你们
咋投诉
啥破服务
什么垃圾平台
坑人
我要投诉那个客服，工号1024
刚才那个客服挂我电话
客服说的和实际不一样
承诺的事情没兑现
您好，我对你们的收费方式非常不满，借款时没有告知服务费，要求给一个合理的解释
我要升级投诉
投诉了五天了都没人联系我
""")

add("wrong_party", """
打错了
你打错了
打错电话了
我不是他
我不是张伟
我不是本人
我不认识这个人
不认识
没这个人
这里没有叫这个名字的
你找错人了
找错人了
我不是你要找的人
我不是借款人
这个号码我刚办的，不是他的了
这是我新换的号码，以前是谁的我不知道
这号码以前的主人我不认识
你要找的人不在这个号码了
号码换人了
我姓王，不姓李
我不叫这个名字
我是男的，你找的是女的吧
不是我，你搞错了
搞错人了
你们弄错了，我不是李娜
wrong number
wrong person
不认识什么张伟
我跟他没关系
我和这个人没有任何关系
这个人我根本不认识
不知道你说的是谁
你说的那个人我不认识
俺不是他
俺不认识这人
啥张伟李伟的，不认识
打错啦
号码错了
你拨错号了
请核对一下号码
你们系统里的号码错了
这不是他的电话
他早就不用这个号了
我不是你们的客户
你找谁？我不是
不是本人，打错了
喂？你找谁？这里没有这个人
我是这个号码的新机主
您好，您可能打错了，这个号码是我上个月新办的，不认识您说的人
我不是借钱的那个人
你说的王芳我不认识，这是我自己的手机
""")

add("third_party_relay", """
他不在
他不在家
她出去了
本人不在
我是他老婆，他不在
我是他妈妈，有什么事跟我说
我是他同事，他今天没来上班
我帮你转告他
有什么事我转告
我会转告他的
我是她老公，她在上班
他在开车，不方便接
他手机在我这
他去外地了
他出差了，我是他爱人
我是他儿子，他年纪大了听不清，跟我说
我是他姐，他不在身边
我是他室友
我是他朋友，他手机落我这了
你有什么事，我是他家人
他在洗澡，等会让他回电话
他在睡觉
他在忙，你留个言
等他回来我告诉他
我让他给你们回电话
你找他什么事，我是他爸
我是家属，能替他处理吗
我替他还行吗
他的事我不清楚，我只是帮他接电话
这是他的工作电话，他请假了
他在上课
他出门了，没带手机
我是他领导，他不在工位
他今天休息，我是同事
本人现在不在，我是他哥哥
他在国外
我是借款人的妻子
我是借款人家属
I'm his wife, he's not here
he's not home
俺是他媳妇，他不在家
他咋了，我是他娘
啥事啊，我是他对象
你打给他干啥，我是他爸，有啥事说
他不方便接电话，我是他姐姐
稍等我去叫他
他刚出去，我让他晚点回你
您好，我是他爱人，他现在在工地上不方便接电话，有什么事情我可以转达
有事给我说吧，我是他弟弟
他在住院，我是他女儿，你说吧
她手机在我这，我是她妹妹
""")

add("verify_caller", """
你是谁
你们是哪里
哪里打来的
你是哪个公司的
你们是骗子吧
你是不是骗子
我怎么知道你不是骗子
怎么证明你是安心的
你真的是安心消费金融吗
你说你是安心的，有什么证据
这个号码是你们的吗
这个电话是官方的吗
4008006688是你们的电话吗
你们官方电话是多少
我要核实你的身份
先证明你的身份
你工号多少
你叫什么名字，工号报一下
这是诈骗电话吧
你是不是诈骗的
你怎么有我电话
你怎么知道我的信息
你们怎么有我号码的
凭什么让我报身份证
为什么要我报身份证后四位
我不会告诉你身份证的，谁知道你是谁
我挂了去官方app核实
我要打官方电话核实一下
我怎么确认这个短信是你们发的
这条短信是真的吗
这个链接是你们发的吗
是安心官方吗
你们是正规持牌机构吗
who are you
is this a scam
你是谁啊，干嘛的
俺咋知道你是真的假的
啥公司
你说你是哪儿的
打电话的是哪位
请问您是哪位
您哪位
喂，哪位
你是催收公司吗
你是第三方催收吗
你们是外包的吗
怎么核实你们的身份
您好，我不太确定这通电话是不是真的来自安心消费金融，请问怎么核实
是真的安心客服吗
你说的这些我不信，先证明一下
你先说说我借了多少，说对了我才信
为什么是个机器人打给我，你们是正规公司吗
""")

add("promise_to_pay", """
我下周五还两千
明天还
我明天就还
今天下午还
今晚还上
月底前还清
我15号发工资就还
发了工资马上还
下周一一定还
后天还1500
我保证周五前还
三天内还上
这周内还
我今天就还上
这个月25号还3000
周末前把逾期的还了
过两天还，最晚周四
明天上午把钱转过去
我晚上回家就还
一会就还
等下就还
五点前还
我答应你，明天一定还
星期三还两千五
下周二还八百
20号之前肯定还上
我周六还
我下个月1号还全部
好，我明天还上
行，那我后天还
可以，就约定28号还
我承诺本周五前还清逾期款
保证明天还
明天中午12点前还
今天晚上8点前还
tomorrow I'll pay
I'll pay on Friday
明天pay
俺明儿个就还
我后儿还上
过几天就还
年前一定还
等我收到货款，下周三还
老板周五发钱，周五晚上还
明天早上一到公司就还
我这就去还
钱已经准备好了，明天转
马上还马上还
回头就还
我一定会还的，下周一
你放心，这周五我会把逾期的2400全部还上
下个星期一还四千
后天上午还清
明天一早就还
10号还
那就明天吧，我明天还
好的，我今天下班还
""")

add("partial_payment", """
只能先还一部分
我只能先还一半
先还一部分行吗
现在只有一千，先还一千行吗
我只能还500
钱不够，先还一点
能不能先还部分
先还一部分，剩下的下个月还
这个月只能还一半
我手头只有800
只能还这么多了
先还点利息可以吗
先还最低还款额
有没有最低还款
能还多少还多少
我先还一千，剩下的下周还
今天先还2000，其余的月底再还
钱不凑手，先还一部分吧
凑不够全额，先还一点
全部还不上，先还一部分
只能还一部分了，其他的我再想办法
我先转500过去可以吗
先还1500可以不
先还一部分能不能不算逾期
部分还款
部分还款可以吗
能接受部分还款吗
我还不了全部，只能还三分之一
我只有这些钱
这个月工资只发了一半，先还一半
先还个几百行不行
我现在能拿出来的就两千
欠了三期，先还一期行吗
先把这期还了，上期的等等
俺只能先还点
咋能先还一部分
能先还个零头吗
先还一点表示诚意
我先还一部分表示态度
pay part first
只能pay一部分
能先还1000吗，剩下的真没有
先还600，下个月再还剩下的
实在拿不出全部，只能先还一些
逾期的4000我先还1500
一次还不清，先还一部分
先还一部分能停止罚息吗
您好，我这个月实在周转不开，只能先还一部分，大概一千块，剩下的等下个月工资发了再还
先付一半
先还一些行不
我卡里就三百，先扣三百吧
""")

add("extension_request", """
能延期吗
申请延期
延期还款
宽限几天
能宽限几天吗
再给我几天时间
晚几天还行吗
推迟几天还
能不能延后一周
缓几天
缓一缓
等几天行吗
能不能宽限到下周
延期一个月
能不能延期到月底
能延长还款日吗
还款日能往后推吗
可以申请展期吗
展期
再宽限一周
多给我几天
能给我半个月时间吗
延期一周
推迟还款
延迟还款
可以晚点还吗
这期能晚点还吗
延期需要什么条件
延期要手续费吗
能不能等我15号发工资再还
能不能等到下周五
工资推迟发了，能晚几天还吗
延后还款
缓缓呗
extend几天
申请extension
能delay一下吗
俺想晚几天还
咋申请延期
给点时间
给我点时间
求宽限
求你们宽限几天
宽限到月底行吗
能不能30天后再还
延期30天
这期能不能往后挪一下
再缓一周就能还上
您好，我这个月资金周转有点困难，能否申请延期半个月还款
帮我申请一下延期
货款下个月才回来，这期能不能往后推二十天
""")

add("installment_plan", """
能分期还吗
协商分期
协商还款
重新分期
欠款能分期吗
逾期的钱能分几个月还吗
把欠的钱分成12期
能不能分12个月还
重新制定还款计划
申请个性化分期
个性化分期
停息分期
申请停息挂账
能不能每月少还点，多还几个月
月供太高了，能不能拉长期限
延长期数
分期还款方案
有没有还款方案
有什么方案让我慢慢还
慢慢还行吗
一个月还500行吗
每个月还一千，还到还清为止
我每月能还800，分几期都行
欠款重新分期
逾期金额分期
二次分期
再分期
能不能做个还款计划
协商一个还款计划
分6期还行吗
逾期的钱分24期还
制定一个新的计划
债务重组
我想和你们协商还款
沟通一下还款方式
payment plan
能做installment吗
俺想分期慢慢还
咋协商分期
啥条件能分期还
一次还不起，分期还
全部一次性还不上，能不能分几个月
剩下的8000分成8个月还
每月还的少一点，时间长点没关系
您好，我逾期两个月了，现在一次性还不上，想申请把欠款分成10期慢慢还
能给我做个分期方案吗
按月还，每月固定还一点
逾期这么多，能不能重新排个计划
我想把欠的全部重新分个期
""")

add("settlement_request", """
能减免罚息吗
减免罚息
罚息能不能免
罚息能少点吗
能打折吗
一次性还清能打折吗
打折结清
减免结清
能不能只还本金
只还本金，利息罚息免了
一次性还，给减免点
我一次性还清，罚息全免行吗
罚息减半
减免一半罚息
给个优惠，一次还清
最低多少能结清
协商减免
申请减免
有没有减免
罚息太多了，申请减免
本金我还，罚息免掉
8000的欠款，5000一次结清行吗
一次性还6000结清可以吗
打个折我马上还
能给多少减免
减免后一次还清
免除罚息
利息能不能免一部分
还本金可以销账吗
settle for less
一次性settle，打个折
俺一次还清，能不能便宜点
咋申请减免
啥情况能减免
减免以后算结清吗
一次结清罚息能免多少
罚息比本金还多了，能不能减
只还一半能结清吗
你们最低能接受多少
能不能给个结清方案，我借亲戚的钱一次还
亲戚借我一笔钱，想一次结清，罚息能少点吗
您好，我的借款已经逾期三个月，现在筹到一笔钱，想一次性结清，请问能否减免部分罚息
减免罚息一次性结清
能免多少是多少
减免政策
罚息全免我今天就一次还清
""")

add("hardship", """
我失业了
失业了，没收入
公司倒闭了
被裁员了
工作没了
我生病住院了
得了重病
家里人生病了，钱都花在治病上
我出车祸了
家里出事了
遭遇变故
我现在真的没钱
实在没钱了
生意失败了
生意亏了，欠了一屁股债
这几个月没活干，一分钱收入都没有
工地停工了，没拿到工资
老板拖欠工资
工资好几个月没发了
我怀孕了没法工作
刚生完孩子，没收入
离婚了，一个人带孩子，压力很大
父亲癌症晚期，所有钱都拿去治病了
家里房子被水淹了
遭了洪水
遇上地震了
我在医院做手术
我残疾了，干不了活
我坐月子呢
我现在负债累累
网贷太多了，还不过来
以贷养贷撑不下去了
我现在吃饭都成问题
真的没有能力还了
我妈住ICU了
孩子生病了，天天跑医院
失业三个月了还没找到工作
我lost job了
被layoff了
俺没活干了，挣不着钱
家里出事了，咋办啊
啥都没了，工作也丢了
刚从医院出来，还在康复
身体不好，一直在吃药，没法上班
店铺关门了
公司裁员裁到我了
收入断了
我现在情况很困难
真的太难了
压力太大了，感觉撑不下去了
您好，我今年初被公司裁员，到现在还没有找到工作，家里还有老人要照顾，实在是困难
我生病了，这两个月都在住院
公司欠薪三个月了
种的果子今年全烂了，一年白干
""")

add("dispute_debt", """
这个金额不对
欠款金额有误
我不认可这个欠款
你们算错了
金额算错了
我不欠你们这么多
怎么会欠这么多
我只借了5000，怎么要还8000
利息算得不对
罚息算错了
这笔钱我不认
这个账我不认
我不欠你们钱
哪来的欠款
这个欠款我有异议
对欠款金额有异议
账单金额和我算的不一样
你们多算了
多算了我两期
明明只剩两期，怎么说我欠三期
逾期天数不对
逾期金额不对
这个数字不对吧
罚息怎么这么多，不对吧
违约金我不认
这些费用我不认可
砍头息我不认
合同上不是这么写的
和合同约定的金额不一样
欠款数额有问题
我不承认这笔债
金额dispute
俺不欠这么多
咋欠这么多，你们算错了吧
啥欠款，我不认
凭什么说我欠一万二
我借的是分期，不是现金贷，你们搞混了
这笔早就协商过了，怎么又算上了
说好的减免怎么没算
本金对不上
本金只有3000，怎么变成5000了
您好，我对你们催收所说的欠款金额有异议，我借的是一万，已经还了六期，不可能还欠这么多
这钱我不该还
这个账不对，我不认
你们说的欠款和我app里看到的不一样
逾期才两天，怎么说我逾期一个月
这笔是商家退货了的，不应该还欠着
""")

add("overdue_consequences", """
逾期会怎么样
逾期有什么后果
不还会怎样
不还会被起诉吗
会起诉我吗
会不会上门
会上门催收吗
逾期会坐牢吗
会不会被抓
会通知我家人吗
会打给我通讯录吗
会联系我单位吗
逾期一个月会怎样
逾期三天会怎么样
逾期太久会怎么样
长期不还会怎样
会被列入失信人吗
会成为老赖吗
会不会被冻结银行卡
会被限制高消费吗
会影响孩子上学吗
影响坐高铁吗
会被法院起诉吗
会走法律程序吗
什么时候会起诉
你们会告我吗
逾期会不会影响工作
逾期多久会被起诉
还不上会怎么样
不还钱会有啥后果
如果一直不还会怎样
不还的后果严重吗
会不会被拘留
会被起诉到哪个法院
会不会冻结我的微信支付宝
会影响配偶吗
会不会连累家人
逾期会上黑名单吗
overdue会怎样
overdue后果
俺要是不还会咋样
咋样算严重逾期
逾期了会不会上门找我
你们会找律师吗
会不会被强制执行
会被判刑吗
逾期半年会怎么样
我逾期了会被起诉吗，真的很担心
您好，我现在逾期了，想问一下如果这个月还还不上，会有什么后果，会被起诉吗
逾期会怎样处理
逾期后会一直打电话吗
晚还一个礼拜，除了罚息还有别的处罚吗
""")

add("contact_preference", """
现在不方便
我在开会
在开车，晚点打
我在上班，下班再说
晚点再打
等会打给我
一个小时后再打
明天再打
下午再联系
晚上再打给我
现在没空
在忙
忙着呢，回头再说
别打电话，发短信吧
发短信给我
用微信联系我
有事发我短信
能不能只发短信不打电话
打这个号码不方便，换个号码联系我
打我另一个号13987654321
工作时间别打，下班后打
中午12点以后再打
周末再联系
我在开会，半小时后打给我
现在不方便说话
不方便接电话
在外面，晚点再说
我在医院，等下回你
我在高铁上，晚点联系
我在带孩子，晚点
给我发个邮件吧
以后发邮件联系
晚上8点后再打
我上夜班，白天睡觉，下午4点后打
你们能不能定个时间打
每次都在我上班时候打，能换个时间吗
不要打单位电话，打手机
call me later
晚点call我
俺在地里干活，晚上再打
咋老在我上班的时候打
明天上午方便，那时候再打
现在说话不方便，旁边有人
家里人在旁边，晚点再说
我回头给你们回电话
我稍后回电
过会儿我打给你们
您好，我现在在开会，不方便接听，麻烦下午三点以后再联系我
只发短信就行，别打电话了
能用app消息通知我吗
这会儿在课堂上，九点以后再说
""")

add("cease_contact", """
不要再联系我
别再打了
别再给我打电话了
停止催收
不要再催了
不要再打电话了
别联系我了
以后别联系我
停止联系
停止一切联系
不要联系我的家人
别再打给我家里人
不要再联系我的同事
停止给我打电话发短信
我要求停止催收
我书面要求你们停止联系
再打我就报警
别打了别打了
烦死了别打了
不要再发催收短信
不要再骚扰我了
我不想再接到你们的电话
以后都不要打来了
永远别打来
别再给我发消息了
停止催收行为
暂停催收
stop calling me
do not contact me
stop contact
俺不想再接你们电话了
咋还打，别打了
啥也别说了，以后别打了
别再联系我了，我会自己处理
我自己会处理，请停止联系
请停止联系我和我的家人
不准再打我电话
不许再联系我
我已经说了很多次了，不要再打了
再打我就拉黑
你们再打我就去投诉
您好，我正式要求贵司停止以任何方式就这笔债务联系我
请不要再联系我
别来烦我了
不要打了，谢谢
停止打电话
以后别联系了
不接受催收电话
你们不要再打了
这件事别再找我，也别找我爸妈
""")

add("legal_rep_bankruptcy", """
我请了律师
我已经委托律师了
找我律师谈
有事联系我的律师
我的律师会联系你们
律师电话是13800001111
我已经破产了
个人破产了
我申请了个人破产
破产清算中
法院受理了我的破产申请
我在走破产程序
我的债务由律师处理
所有债务问题请找我律师
我委托了律所
已经交给律师处理了
我让律师给你们发函
我有代理律师
债务已委托代理律师
我委托了律师和你们协商
律师会跟你们谈还款
我不跟你们说，找我律师
以后跟我律师沟通
我的代理人是张律师
我在深圳申请了个人破产
法院裁定破产了
宣告破产
破产了还要还吗
lawyer
I have a lawyer
my attorney will contact you
bankruptcy
我filed bankruptcy了
俺找了律师
我律师的联系方式发给你
啥事都找我律师
律师已经介入
这件事已经进入法律程序，请联系我的律师
我已经委托律师起诉你们
律师会代表我处理
我找了法律援助
法律援助中心在帮我处理
您好，我已委托律师全权处理我的债务事宜，请与我的律师联系，电话稍后发给你们
我破产了
破产
委托律师
破产管理人会联系你们
我的律师说你们不能直接找我
律师函已经寄给你们了，收到了吗
""")

add("collector_complaint", """
催收打电话骚扰我
催收太过分了
催收员态度很差
催收骂人
催收威胁我
你们催收打到我单位了
催收打给我家人
给我通讯录的人打电话
爆我通讯录
催收一天打十几个电话
半夜还打催收电话
晚上十点多还在催
催收说要上门
催收说要起诉我吓唬我
催收员辱骂我
催收员说话难听
催收的人威胁我家里人
你们的催收骚扰我同事
催收给我朋友发短信
催收发短信到我亲戚手机上
天天被催收骚扰
投诉催收
投诉你们的催收员
我要投诉催收
暴力催收
你们这是暴力催收
催收冒充律师
催收冒充法院的人
催收在群里发我照片
催收说要把我曝光
那个催收员叫什么，我要投诉他
刚才打电话那个催收员太凶了
你们外包催收太嚣张
collector态度太差
催收harass我
俺被催收骚扰得睡不着
啥人啊，催收还骂娘
催收一直打我老婆电话
催收打到我爸妈那里，老人都吓坏了
催收每天早上七点就打
一天打了二十多个电话
我都说了下周还，还一直打
催收说不还就让我坐牢
催收给我单位领导打电话，我工作都要丢了
我要录音举报催收
催收的态度我要举报
您好，我要投诉贵司的催收人员，他多次在晚上十点后给我打电话并且出言不逊
催收用P的图吓唬我
催收跟我说话阴阳怪气，还说我是老赖
""")

add("refuse_to_pay", """
我不还
不还了
我就不还
没钱不还
不想还
我不会还的
爱咋咋地
你们去告吧，反正不还
有本事起诉我
要钱没有要命一条
不还你能把我怎么样
就是不还
老子不还
一分都不还
凭什么还
我不打算还了
不还了，爱怎么着怎么着
反正网贷都不合法，我不还
你们是高利贷，我不还
利息太高了，我拒绝还款
拒绝还款
拒绝还钱
我拒绝支付
不可能还
想都别想
没门
死也不还
让我还钱，做梦
不会给你们一分钱
反正我征信已经黑了，不还了
征信花了无所谓，不还
钱花完了，不还
我没打算还
I won't pay
not paying
俺不还
咋地，不还不行啊
不还又咋样
爱找谁找谁，不还
随你们怎么催，不还
别费劲了，不会还的
你们平台违法，我不还
我就是赖账了
赖着不还
我不会再还一分钱
已经还够本金了，剩下的不还了
本金还完了，利息不还
您好，我明确告诉你们，这笔钱我不会再还了
有钱也不还
""")

add("borrower_deceased", """
他去世了
她已经去世了
借款人去世了
本人已经过世了
人已经没了
他上个月走了，是病逝的
我老公去世了
我爸已经去世了
我妈过世了
我儿子出车祸没了
他去年就死了
人都死了还催什么
他不在了，去世了
他已经不在人世了
借款人已身故
本人身故
已故
他死了
过世了
他病逝了
意外身亡
去世的人的贷款怎么处理
人去世了贷款还要还吗
父亲去世了，他的借款怎么办
借款人死了家属要还吗
需要提供死亡证明吗
死亡证明怎么给你们
我可以提供死亡证明
他已经火化了
葬礼刚办完
he passed away
she died
the borrower is deceased
他passed away了
俺家那口子没了
咋还打来，人都没了
他生前借的钱怎么处理
他的账户要销户，人已经去世了
您好，我是张伟的妻子，他上个月因病去世了，想问一下他名下的借款怎么处理
我姐姐去年去世了
人走了，别再打了
本人已死亡
他已经去世三个月了
户口已经注销了，人没了
她走得突然，我们家属才知道她有这笔借款
我哥前阵子去世了，手机一直是我在用
""")


if __name__ == "__main__":
    sys.exit(main())
