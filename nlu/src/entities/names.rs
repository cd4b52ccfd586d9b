//! Person names, by rule and on the side of precision: a name is reported only where the sentence says it is
//! one.
//!
//! Chinese: after a self-introduction (我是张伟, 我叫李小红, 本人王芳, 我的名字是...), a common surname and one or
//! two given-name characters, stopping at particles and verbs (我是张伟想问一下 gives 张伟); and a surname with a
//! title anywhere (张先生, 李小姐, 王女士, 欧阳女士). English: after "my name is", "this is", "I'm", "I am" or
//! "call me", up to three capitalised words ("This is Mary", "my name is John Smith"); after "my name is" lower-case
//! words count too, unless they are ordinary words ("my name is not on the account" has no name); and a title
//! with a surname ("Mr Smith", "Mrs. Lee"). The value is the name as written.
//!
//! When the NLU carries a trained [`crate::name_tagger::NameTagger`], its confident Chinese names join these
//! (`find_tagged_names`); without one, the rules above are the whole of it.

use super::{
    Candidate, EntityKind, EntityValue, Pattern, Priority, Requires, Utterance, compile, scan, when,
};

/// Common single-character surnames. Rare surnames that are mostly ordinary words (钱 "money", 万, 向, 付) are
/// left out; for the common ones that also start ordinary words (高兴, 马上, 方便), [`WORDS_THAT_ARE_NOT_NAMES`]
/// rules those words out.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵严覃武戴莫孔汤施牛樊葛邢伍庞颜倪庄聂鲁岳翟殷詹欧耿兰焦俞柳阮柯纪梅童裴霍涂盛翁冉骆蓝靳柴鲍喻祁蒲滕饶艾尤穆缪褚娄窦戚岑晏瞿桂佟臧闵邬卞";

/// Two-character surnames, checked before single ones.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "慕容", "令狐", "皇甫", "尉迟", "公孙", "夏侯", "端木", "司徒",
    "长孙", "宇文",
];

/// Words that begin with a surname character but are not names: "我是马上要还的" has no 马.
const WORDS_THAT_ARE_NOT_NAMES: &[&str] = &[
    "马上",
    "高兴",
    "高利贷",
    "方便",
    "方法",
    "方式",
    "方面",
    "方案",
    "白天",
    "白条",
    "金额",
    "金融",
    "余额",
    "余款",
    "程序",
    "程度",
    "周一",
    "周二",
    "周三",
    "周四",
    "周五",
    "周六",
    "周日",
    "周末",
    "黄金",
    "许多",
    "许可",
    "孙子",
    "毛病",
    "史上",
    "龙头",
    "陆续",
    "江湖",
    "石头",
    "石油",
    "范围",
    "夏天",
    "曾经",
    "田地",
    "杜绝",
    "任务",
    "任何",
    "谢谢",
    "韩国",
    "岳父",
    "岳母",
    "焦虑",
    "罗列",
    "郑重",
    "唐突",
    "钟头",
    "丁点",
    "叶子",
    "董事",
    "雷同",
    "黎明",
    "顾客",
    "严重",
    "莫名",
    "莫非",
    "施工",
    "牛逼",
    "黄色",
    "胡说",
    "胡乱",
    "何时",
    "何必",
    "苏醒",
    "徐徐",
    "高速",
    "高中",
    "高考",
    "林业",
    "朱红",
    "郭外",
    "蓝色",
    "柴油",
    "盛情",
    "戚戚",
    "兰州",
    "欧元",
    "欧洲",
    "潘多拉",
    "梅雨",
    "童年",
    "纪录",
    "纪念",
    "鲁莽",
    "庄稼",
    "武汉",
    "孔子",
    "汤圆",
    "陶瓷",
    "贺卡",
    "邵阳",
    "艾滋",
    "尤其",
    "穆斯林",
    "涂改",
    "蒲公英",
    "滕州",
    "饶了",
    "戴着",
    "伍元",
    "颜色",
    "樊篱",
    "宋体",
    "吕梁",
    "田园",
    "江苏",
    "江西",
    "苏州",
    "徐州",
    "郑州",
    "黄山",
    "石家庄",
    "高铁",
    "高峰",
    "林子",
    "胡同",
    "陈述",
    "谢绝",
    "何况",
    "何在",
    "卢布",
];

/// Characters that end a Chinese name: particles, common verbs and pronouns that follow "我是张伟".
const NAME_STOP_CHARS: &str = "的了啊呀吧呢吗哦嘛呗哈是在想要来去问说打还借找请能会有跟与就也都先今这那我你他她们从给让被把对";

/// Titles after a Chinese surname.
const CHINESE_TITLES: &[&str] = &["先生", "小姐", "女士"];

/// A Chinese self-introduction; the name follows the match.
static CHINESE_INTRODUCTION: Pattern = Pattern::new(|| {
    compile(
        r"(?:我是|我叫|本人是|本人|我的名字(?:是|叫)|我名字(?:是|叫)|名字(?:是|叫)|姓名(?:是|:)?)\s?",
    )
});

/// A surname with a title: 张先生, 李小姐, 欧阳女士.
static CHINESE_TITLED_NAME: Pattern = Pattern::new(|| {
    let compound = COMPOUND_SURNAMES.join("|");
    compile(&format!(r"(?:{compound}|[{SURNAMES}])(?:先生|小姐|女士)"))
});

/// An English self-introduction, matched case-insensitively on the width-folded text; the name follows.
static ENGLISH_INTRODUCTION: Pattern = Pattern::new(|| {
    compile(r"(?i)\b(?:(my\s+name\s+is|my\s+name's|name\s+is)|this\s+is|i\s+am|i'm|call\s+me)\s+")
});

/// An English title and surname: "Mr Smith", "Mrs. Lee".
static ENGLISH_TITLED_NAME: Pattern =
    Pattern::new(|| compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?\b"));

/// Words that can follow an English introduction but are not names, compared in lower case.
const ENGLISH_NON_NAMES: &[&str] = &[
    "a",
    "an",
    "the",
    "not",
    "no",
    "yes",
    "you",
    "hello",
    "hi",
    "hey",
    "bye",
    "morning",
    "afternoon",
    "evening",
    "night",
    "next",
    "last",
    "week",
    "month",
    "dear",
    "sir",
    "madam",
    "bank",
    "card",
    "loan",
    "just",
    "very",
    "really",
    "so",
    "here",
    "there",
    "calling",
    "trying",
    "going",
    "sorry",
    "fine",
    "ok",
    "okay",
    "happy",
    "unable",
    "worried",
    "good",
    "interested",
    "in",
    "on",
    "at",
    "from",
    "with",
    "for",
    "to",
    "of",
    "about",
    "your",
    "my",
    "his",
    "her",
    "their",
    "our",
    "is",
    "and",
    "but",
    "or",
    "please",
    "thanks",
    "thank",
    "speaking",
    "anxin",
    "it",
    "that",
    "this",
    "what",
    "who",
    "i",
    "me",
    "still",
    "also",
    "now",
    "already",
    "waiting",
    "asking",
    "wondering",
    "looking",
    "afraid",
    "glad",
    "sure",
    "able",
    "late",
    "done",
    "out",
    "busy",
    "driving",
    "working",
    "paying",
    "his",
    "her",
    "wife",
    "husband",
    "mother",
    "father",
    "son",
    "daughter",
    "friend",
    "brother",
    "sister",
    "customer",
    "borrower",
    "owner",
    "account",
    "holder",
    "new",
    "back",
    "confused",
    "angry",
    "upset",
    "tired",
    "broke",
    "unemployed",
    "sick",
    "ill",
    "over",
    "under",
    "by",
    "as",
    "if",
    "when",
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

pub(super) fn find_person_names(utterance: &Utterance, candidates: &mut Vec<Candidate>) {
    find_whole_answer_name(utterance, candidates);
    find_introduced_chinese_names(utterance, candidates);
    find_titled_chinese_names(utterance, candidates);
    find_introduced_english_names(utterance, candidates);
    scan(
        when(utterance, Requires::LatinLetters, &ENGLISH_TITLED_NAME),
        &utterance.cased,
        |captures| {
            let Some(whole) = captures.get(0) else {
                return false;
            };
            push_cased(utterance, whole.start()..whole.end(), candidates);
            true
        },
    );
}

/// The lowest tag probability along a tagged name for it to count.
pub const TAGGED_NAME_MIN_CONFIDENCE: f32 = 0.6;

/// Chinese names the trained tagger finds: two to four Chinese characters that begin with a common surname,
/// confident along their whole span, and not one of the words that merely begin with a surname. The tagger learnt
/// from newspaper text; on customer-service text these checks keep it from reading a greeting ("哈罗") as a name.
pub(super) fn find_tagged_names(
    utterance: &Utterance,
    tagger: &crate::name_tagger::NameTagger,
    candidates: &mut Vec<Candidate>,
) {
    if !utterance.has_han {
        return;
    }
    for name in tagger.tag(utterance.original) {
        let span = utterance.original_span(name.start..name.end);
        let length = name.end - name.start;
        if name.confidence < TAGGED_NAME_MIN_CONFIDENCE
            || !(2..=4).contains(&length)
            || !span.chars().all(|c| matches!(c, '\u{4E00}'..='\u{9FFF}'))
            || surname_length(span).is_none()
            || WORDS_THAT_ARE_NOT_NAMES
                .iter()
                .any(|word| span.starts_with(word))
        {
            continue;
        }
        push_name(utterance, name.start..name.end, candidates);
    }
}

/// Adds the name at a byte range of the cased text (original letter case).
fn push_cased(
    utterance: &Utterance,
    bytes: std::ops::Range<usize>,
    candidates: &mut Vec<Candidate>,
) {
    push_name(utterance, utterance.cased_chars(bytes), candidates);
}

/// Adds the name at a byte range of the folded text.
fn push_folded(
    utterance: &Utterance,
    bytes: std::ops::Range<usize>,
    candidates: &mut Vec<Candidate>,
) {
    push_name(utterance, utterance.folded_chars(bytes), candidates);
}

/// Adds the name at these characters, its value the original text.
fn push_name(
    utterance: &Utterance,
    chars: std::ops::Range<usize>,
    candidates: &mut Vec<Candidate>,
) {
    let name = utterance.original_span(chars.clone()).to_owned();
    candidates.push(Candidate {
        kind: EntityKind::PersonName,
        chars,
        value: EntityValue::Text(name),
        priority: Priority::PersonName,
    });
}

/// The surname at the start of `text`, compound surnames first, as a length in bytes.
fn surname_length(text: &str) -> Option<usize> {
    if let Some(compound) = COMPOUND_SURNAMES
        .iter()
        .find(|surname| text.starts_with(*surname))
    {
        return Some(compound.len());
    }
    let first = text.chars().next()?;
    SURNAMES.contains(first).then_some(first.len_utf8())
}

fn is_given_name_char(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}') && !NAME_STOP_CHARS.contains(c)
}

/// Whether a name may end before `next`: at the end, before punctuation, a space, a Latin letter or digit, or a
/// stop character.
fn may_end_name_before(next: Option<char>) -> bool {
    match next {
        None => true,
        Some(c) => !matches!(c, '\u{4E00}'..='\u{9FFF}') || NAME_STOP_CHARS.contains(c),
    }
}

fn find_introduced_chinese_names(utterance: &Utterance, candidates: &mut Vec<Candidate>) {
    let text = utterance.folded.as_str();
    scan(
        when(utterance, Requires::Han, &CHINESE_INTRODUCTION),
        text,
        |captures| {
            let Some(cue) = captures.get(0) else {
                return false;
            };
            let rest = &text[cue.end()..];
            let Some(surname) = surname_length(rest) else {
                return false;
            };
            if WORDS_THAT_ARE_NOT_NAMES
                .iter()
                .any(|word| rest.starts_with(word) && word.len() > surname)
            {
                return false;
            }
            // A title right after the surname is read by the titled-name rule.
            if CHINESE_TITLES
                .iter()
                .any(|title| rest[surname..].starts_with(title))
            {
                return false;
            }
            let given: Vec<char> = rest[surname..].chars().take(2).collect();
            let mut name_length = None;
            for given_count in [2, 1] {
                if given.len() < given_count
                    || !given[..given_count].iter().all(|c| is_given_name_char(*c))
                {
                    continue;
                }
                let given_bytes: usize = given[..given_count].iter().map(|c| c.len_utf8()).sum();
                let next = rest[surname + given_bytes..].chars().next();
                if may_end_name_before(next) {
                    name_length = Some(surname + given_bytes);
                    break;
                }
            }
            let Some(name_length) = name_length else {
                return false;
            };
            push_folded(utterance, cue.end()..cue.end() + name_length, candidates);
            true
        },
    );
}

/// An utterance that is nothing but a name, as when the bot asks for the customer's full name: a surname with one
/// or two given-name characters ("张伟", "欧阳娜娜"), or two or three capitalised English words ("John Smith").
fn find_whole_answer_name(utterance: &Utterance, candidates: &mut Vec<Candidate>) {
    let trimmed_start = utterance.cased.len() - utterance.cased.trim_start().len();
    let core = utterance
        .cased
        .trim()
        .trim_end_matches(['.', '。', '!', '?', ',', '，', ' ']);
    if core.is_empty() {
        return;
    }
    let core_range = trimmed_start..trimmed_start + core.len();
    if let Some(surname) = surname_length(core) {
        let given: Vec<char> = core[surname..].chars().collect();
        let blocked = WORDS_THAT_ARE_NOT_NAMES
            .iter()
            .any(|word| core.starts_with(word) && word.len() > surname);
        if (1..=2).contains(&given.len())
            && given.iter().all(|c| is_given_name_char(*c))
            && !blocked
        {
            push_cased(utterance, core_range, candidates);
        }
        return;
    }
    let words: Vec<&str> = core.split(' ').collect();
    let all_name_like = words.iter().all(|word| {
        let capitalised = word.starts_with(|c: char| c.is_ascii_uppercase())
            && word.len() >= 2
            && word
                .chars()
                .skip(1)
                .all(|c| c.is_ascii_lowercase() || c == '\'' || c == '-');
        capitalised && !ENGLISH_NON_NAMES.contains(&word.to_ascii_lowercase().as_str())
    });
    if (2..=3).contains(&words.len()) && all_name_like {
        push_cased(utterance, core_range, candidates);
    }
}

fn find_titled_chinese_names(utterance: &Utterance, candidates: &mut Vec<Candidate>) {
    scan(
        when(utterance, Requires::Han, &CHINESE_TITLED_NAME),
        &utterance.folded,
        |captures| {
            let Some(whole) = captures.get(0) else {
                return false;
            };
            push_folded(utterance, whole.range(), candidates);
            true
        },
    );
}

fn find_introduced_english_names(utterance: &Utterance, candidates: &mut Vec<Candidate>) {
    let text = utterance.cased.as_str();
    scan(
        when(utterance, Requires::LatinLetters, &ENGLISH_INTRODUCTION),
        text,
        |captures| {
            let Some(cue) = captures.get(0) else {
                return false;
            };
            // Only "my name is" is explicit enough to accept a name typed in lower case.
            let lower_case_allowed = captures.get(1).is_some();
            let mut name_end = cue.end();
            let mut words = 0;
            let mut position = cue.end();
            while words < 3 {
                let rest = &text[position..];
                let word_length = rest
                    .char_indices()
                    .find(|&(_, c)| !(c.is_ascii_alphabetic() || c == '\'' || c == '-'))
                    .map_or(rest.len(), |(index, _)| index);
                let word = rest[..word_length].trim_end_matches(['\'', '-']);
                let capitalised = word.starts_with(|c: char| c.is_ascii_uppercase())
                    && word.chars().skip(1).any(|c| c.is_ascii_lowercase());
                let ordinary = ENGLISH_NON_NAMES.contains(&word.to_ascii_lowercase().as_str());
                if word.len() < 2 || ordinary || !(capitalised || lower_case_allowed) {
                    break;
                }
                words += 1;
                name_end = position + word.len();
                // The next word must follow after exactly one space.
                let after = &text[name_end..];
                if !after.starts_with(' ') || after[1..].starts_with(' ') {
                    break;
                }
                position = name_end + 1;
            }
            if words == 0 {
                return false;
            }
            push_cased(utterance, cue.end()..name_end, candidates);
            true
        },
    );
}

#[cfg(test)]
pub(super) fn all_patterns() -> Vec<&'static Pattern> {
    vec![
        &CHINESE_INTRODUCTION,
        &CHINESE_TITLED_NAME,
        &ENGLISH_INTRODUCTION,
        &ENGLISH_TITLED_NAME,
    ]
}
