//! Replies rendered for the ear: a chat reply turned into short sentences a speech synthesiser reads the way a
//! person on the phone would say them.
//!
//! Links, markup and line layout are dropped. Amounts are read as money (`1180.50元` as 一千一百八十元五角,
//! `CNY 1,180.50` as "one thousand one hundred eighty yuan and fifty fen"), dates as dates (`2026年12月15日` as
//! 二零二六年十二月十五日, `December 15, 2026` as "December fifteenth, twenty twenty-six"), phone numbers digit by
//! digit in groups (`400-800-6688` as 四零零，八零零，六六八八 or "4 0 0, 8 0 0, 6 6 8 8"), clock times and
//! percentages as words. Long sentences are split at commas so that each piece can be synthesised and sent while
//! the next is prepared, and so that a caller who interrupts has heard whole pieces.

use std::sync::LazyLock;

use regex::{Captures, Regex};

/// The language a reply is spoken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpeechLanguage {
    Mandarin,
    English,
}

/// The longest piece, in characters, before a sentence is split at a comma.
const MANDARIN_PIECE_CHARS: usize = 40;
const ENGLISH_PIECE_CHARS: usize = 120;

static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:https?://|www\.)[A-Za-z0-9\-._~:/?#@!$&'*+=%]+").expect("valid")
});
static ZH_AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(-?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*元").expect("valid")
});
static EN_AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:CNY|RMB|¥)\s?(-?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?").expect("valid")
});
static ZH_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日").expect("valid"));
static EN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(January|February|March|April|May|June|July|August|September|October|November|December) (\d{1,2})(?:, (\d{4}))?")
        .expect("valid")
});
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\+?\d{3,4}(?:[- ]\d{3,4}){1,3}|\+?\d{11,13}").expect("valid"));
static TIME_RANGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{1,2}):(\d{2})\s*[–—~-]\s*(\d{1,2}):(\d{2})").expect("valid"));
// ASCII word boundaries: in Unicode a Chinese character is a word character, so `\b` would not separate
// "还款日" from "20:00".
static TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)(\d{1,2}):(\d{2})(?-u:\b)").expect("valid"));
/// A loan id or case reference (`LN10080`, `AX261126K7Q2ZP`): capitals and digits, read one by one.
static CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)[A-Z]{2}[A-Z0-9]*[0-9][A-Z0-9]*(?-u:\b)").expect("valid")
});
static PERCENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d+)(?:\.(\d+))?\s*%").expect("valid"));
static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\d+)(?:\.(\d+))?").expect("valid"));
static ORDINAL_DAY_ALREADY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})(st|nd|rd|th)\b").expect("valid"));

/// The reply as pieces to speak, in order. Empty pieces are never returned.
pub fn speakable(text: &str, language: SpeechLanguage) -> Vec<String> {
    let text = LINK.replace_all(text, "");
    // A middle dot and a space open a list item (a bare middle dot joins the parts of a foreign name).
    let text = text.replace("· ", "\n");
    let text: String = text
        .chars()
        .map(|character| match character {
            '*' | '#' | '`' | '_' | '>' | '|' => ' ',
            // "我的借款 → 立即还款": a pause between the steps.
            '→' | '←' => '，',
            '\n' | '\r' | '•' => '\n',
            other => other,
        })
        .collect();
    let text = match language {
        SpeechLanguage::Mandarin => mandarin_words(&text),
        SpeechLanguage::English => english_words(&text),
    };
    split_pieces(&text, language)
}

fn split_pieces(text: &str, language: SpeechLanguage) -> Vec<String> {
    let (enders, commas, limit): (&[char], &[char], usize) = match language {
        SpeechLanguage::Mandarin => (
            &['。', '！', '？', '!', '?', '\n', '；', ';'],
            &['，', ',', '、', '：'],
            MANDARIN_PIECE_CHARS,
        ),
        SpeechLanguage::English => (
            &['.', '!', '?', '\n', ';'],
            &[',', ':'],
            ENGLISH_PIECE_CHARS,
        ),
    };
    let mut sentences = Vec::new();
    let mut current = String::new();
    let characters: Vec<char> = text.chars().collect();
    for (index, &character) in characters.iter().enumerate() {
        if character != '\n' {
            current.push(character);
        }
        // A full stop inside a number ("1.5") or an abbreviation does not end an English sentence.
        let next_is_space = characters
            .get(index + 1)
            .is_none_or(|next| next.is_whitespace());
        let ends = enders.contains(&character)
            && (language == SpeechLanguage::Mandarin || character == '\n' || next_is_space);
        if ends {
            sentences.push(std::mem::take(&mut current));
        }
    }
    sentences.push(current);
    let mut pieces = Vec::new();
    for sentence in sentences {
        let sentence = sentence.trim();
        if sentence
            .chars()
            .all(|character| !character.is_alphanumeric())
        {
            continue;
        }
        if sentence.chars().count() <= limit {
            pieces.push(sentence.to_owned());
            continue;
        }
        let mut piece = String::new();
        for character in sentence.chars() {
            piece.push(character);
            if commas.contains(&character) && piece.chars().count() >= limit / 3 {
                pieces.push(piece.trim().to_owned());
                piece.clear();
            }
        }
        if piece.chars().any(char::is_alphanumeric) {
            pieces.push(piece.trim().to_owned());
        }
    }
    pieces
}

const CHINESE_DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// A whole number in Chinese numerals, the way it is read (一千一百八十, 十五, 两万 is left as 二万 for clarity).
pub fn chinese_number(value: u64) -> String {
    if value == 0 {
        return "零".to_owned();
    }
    fn below_ten_thousand(value: u64, leading: bool) -> String {
        let units = ["千", "百", "十", ""];
        let digits = [value / 1000, value / 100 % 10, value / 10 % 10, value % 10];
        let mut text = String::new();
        let mut zero_pending = false;
        let mut started = false;
        for (digit, unit) in digits.iter().zip(units) {
            if *digit == 0 {
                if started {
                    zero_pending = true;
                }
                continue;
            }
            if zero_pending {
                text.push('零');
            }
            zero_pending = false;
            // 十五, not 一十五, at the very start of a number.
            if !(leading && !started && *digit == 1 && unit == "十") {
                text.push_str(CHINESE_DIGITS[*digit as usize]);
            }
            text.push_str(unit);
            started = true;
        }
        text
    }
    let groups = [
        (value / 1_000_000_000_000, "万亿"),
        (value / 100_000_000 % 10_000, "亿"),
        (value / 10_000 % 10_000, "万"),
        (value % 10_000, ""),
    ];
    let mut text = String::new();
    let mut need_zero = false;
    for (group, unit) in groups {
        if group == 0 {
            if !text.is_empty() {
                need_zero = true;
            }
            continue;
        }
        let leading = text.is_empty();
        if !leading && (need_zero || group < 1000) {
            text.push('零');
        }
        need_zero = false;
        text.push_str(&below_ten_thousand(group, leading));
        text.push_str(unit);
    }
    text
}

fn chinese_digits(digits: &str, phone: bool) -> String {
    digits
        .chars()
        .filter_map(|character| character.to_digit(10))
        .map(|digit| {
            if phone && digit == 1 {
                "幺"
            } else {
                CHINESE_DIGITS[digit as usize]
            }
        })
        .collect()
}

/// Whether a run the phone pattern matched is a phone number: grouped digits, or a mainland mobile number
/// (11 digits from 13 to 19, perhaps after +86).
fn is_phone_number(matched: &str) -> bool {
    if matched.contains(['-', ' ']) {
        return true;
    }
    let digits = matched.trim_start_matches('+');
    let national = digits
        .strip_prefix("86")
        .filter(|_| digits.len() == 13)
        .unwrap_or(digits);
    national.len() == 11
        && national.starts_with('1')
        && !national.starts_with("10")
        && !national.starts_with("11")
        && !national.starts_with("12")
}

fn whole(digits: &str) -> u64 {
    digits.replace(',', "").parse().unwrap_or(0)
}

/// Two digits of a decimal part, padded: "5" is 50 hundredths.
fn hundredths(digits: Option<&str>) -> u64 {
    match digits {
        None => 0,
        Some(digits) if digits.len() == 1 => whole(digits) * 10,
        Some(digits) => whole(&digits[..2]),
    }
}

/// A code spelled out: letters as letters, digits in the language's words, one at a time.
fn spelled_code(code: &str, language: SpeechLanguage) -> String {
    code.chars()
        .map(|character| match character.to_digit(10) {
            Some(digit) => match language {
                SpeechLanguage::Mandarin => CHINESE_DIGITS[digit as usize].to_owned(),
                SpeechLanguage::English => ONES[digit as usize].to_owned(),
            },
            None => character.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn mandarin_words(text: &str) -> String {
    let text = CODE.replace_all(text, |captures: &Captures| {
        spelled_code(&captures[0], SpeechLanguage::Mandarin)
    });
    let text = PHONE.replace_all(&text, |captures: &Captures| {
        if !is_phone_number(&captures[0]) {
            return captures[0].to_owned();
        }
        let groups: Vec<String> = captures[0]
            .split(['-', ' '])
            .filter(|group| !group.is_empty())
            .map(|group| chinese_digits(group.trim_start_matches('+'), true))
            .collect();
        if groups.len() == 1 && groups[0].chars().count() == 11 {
            let digits: Vec<char> = groups[0].chars().collect();
            format!(
                "{}，{}，{}",
                digits[..3].iter().collect::<String>(),
                digits[3..7].iter().collect::<String>(),
                digits[7..].iter().collect::<String>()
            )
        } else {
            groups.join("，")
        }
    });
    let text = ZH_AMOUNT.replace_all(&text, |captures: &Captures| {
        let yuan = whole(&captures[2]);
        let cents = hundredths(captures.get(3).map(|matched| matched.as_str()));
        let mut spoken = String::new();
        if &captures[1] == "-" {
            spoken.push('负');
        }
        spoken.push_str(&chinese_number(yuan));
        spoken.push('元');
        if cents / 10 > 0 {
            spoken.push_str(CHINESE_DIGITS[(cents / 10) as usize]);
            spoken.push('角');
        }
        if !cents.is_multiple_of(10) {
            if cents / 10 == 0 {
                spoken.push('零');
            }
            spoken.push_str(CHINESE_DIGITS[(cents % 10) as usize]);
            spoken.push('分');
        }
        spoken
    });
    let text = ZH_DATE.replace_all(&text, |captures: &Captures| {
        let year = captures
            .get(1)
            .map(|year| format!("{}年", chinese_digits(year.as_str(), false)))
            .unwrap_or_default();
        format!(
            "{year}{}月{}日",
            chinese_number(whole(&captures[2])),
            chinese_number(whole(&captures[3]))
        )
    });
    let text = TIME_RANGE.replace_all(&text, |captures: &Captures| {
        format!(
            "{}到{}",
            chinese_clock(whole(&captures[1]), whole(&captures[2])),
            chinese_clock(whole(&captures[3]), whole(&captures[4]))
        )
    });
    let text = TIME.replace_all(&text, |captures: &Captures| {
        chinese_clock(whole(&captures[1]), whole(&captures[2]))
    });
    let text = PERCENT.replace_all(&text, |captures: &Captures| {
        let mut spoken = format!("百分之{}", chinese_number(whole(&captures[1])));
        if let Some(decimals) = captures.get(2) {
            spoken.push('点');
            spoken.push_str(&chinese_digits(decimals.as_str(), false));
        }
        spoken
    });
    let text = NUMBER.replace_all(&text, |captures: &Captures| {
        let mut spoken = chinese_number(whole(&captures[1]));
        if let Some(decimals) = captures.get(2) {
            spoken.push('点');
            spoken.push_str(&chinese_digits(decimals.as_str(), false));
        }
        spoken
    });
    text.replace(['“', '”', '"', '「', '」', '（', '）', '(', ')'], "")
}

fn chinese_clock(hour: u64, minute: u64) -> String {
    let (period, twelve) = match hour {
        0..=5 => ("凌晨", hour),
        6..=11 => ("早上", hour),
        12 => ("中午", 12),
        13..=17 => ("下午", hour - 12),
        _ => ("晚上", hour - 12),
    };
    let mut spoken = format!("{period}{}点", chinese_number(twelve));
    match minute {
        0 => {}
        30 => spoken.push('半'),
        _ => {
            spoken.push_str(&chinese_number(minute));
            spoken.push('分');
        }
    }
    spoken
}

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// A whole number in English words, without "and" ("one thousand one hundred eighty").
pub fn english_number(value: u64) -> String {
    fn below_thousand(value: u64) -> String {
        let mut words = Vec::new();
        if value >= 100 {
            words.push(format!("{} hundred", ONES[(value / 100) as usize]));
        }
        let rest = value % 100;
        if rest >= 20 {
            if rest.is_multiple_of(10) {
                words.push(TENS[(rest / 10) as usize].to_owned());
            } else {
                words.push(format!(
                    "{}-{}",
                    TENS[(rest / 10) as usize],
                    ONES[(rest % 10) as usize]
                ));
            }
        } else if rest > 0 || value == 0 {
            words.push(ONES[rest as usize].to_owned());
        }
        words.join(" ")
    }
    if value == 0 {
        return "zero".to_owned();
    }
    let scales = [
        (1_000_000_000_u64, "billion"),
        (1_000_000, "million"),
        (1_000, "thousand"),
        (1, ""),
    ];
    let mut words = Vec::new();
    let mut remaining = value;
    for (scale, name) in scales {
        let group = remaining / scale;
        remaining %= scale;
        if group == 0 {
            continue;
        }
        let group_words = below_thousand(group);
        if name.is_empty() {
            words.push(group_words);
        } else {
            words.push(format!("{group_words} {name}"));
        }
    }
    words.join(" ")
}

fn english_ordinal(value: u64) -> String {
    let cardinal = english_number(value);
    let irregular = [
        ("one", "first"),
        ("two", "second"),
        ("three", "third"),
        ("five", "fifth"),
        ("eight", "eighth"),
        ("nine", "ninth"),
        ("twelve", "twelfth"),
    ];
    for (from, to) in irregular {
        if let Some(stem) = cardinal.strip_suffix(from) {
            return format!("{stem}{to}");
        }
    }
    if let Some(stem) = cardinal.strip_suffix('y') {
        return format!("{stem}ieth");
    }
    format!("{cardinal}th")
}

fn english_year(year: u64) -> String {
    if (2001..=2009).contains(&year) || year.is_multiple_of(100) {
        return english_number(year);
    }
    format!(
        "{} {}",
        english_number(year / 100),
        english_number(year % 100)
    )
}

fn english_words(text: &str) -> String {
    let text = CODE.replace_all(text, |captures: &Captures| {
        spelled_code(&captures[0], SpeechLanguage::English)
    });
    let text = EN_AMOUNT.replace_all(&text, |captures: &Captures| {
        let yuan = whole(&captures[2]);
        let cents = hundredths(captures.get(3).map(|matched| matched.as_str()));
        let mut spoken = String::new();
        if &captures[1] == "-" {
            spoken.push_str("minus ");
        }
        spoken.push_str(&english_number(yuan));
        spoken.push_str(" yuan");
        if cents > 0 {
            spoken.push_str(&format!(" and {} fen", english_number(cents)));
        }
        spoken
    });
    let text = EN_DATE.replace_all(&text, |captures: &Captures| {
        let mut spoken = format!("{} {}", &captures[1], english_ordinal(whole(&captures[2])));
        if let Some(year) = captures.get(3) {
            spoken.push_str(&format!(", {}", english_year(whole(year.as_str()))));
        }
        spoken
    });
    let text = PHONE.replace_all(&text, |captures: &Captures| {
        if !is_phone_number(&captures[0]) {
            return captures[0].to_owned();
        }
        captures[0]
            .split(['-', ' '])
            .filter(|group| !group.is_empty())
            .map(|group| {
                group
                    .chars()
                    .filter(char::is_ascii_digit)
                    .map(String::from)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join(", ")
    });
    let text = TIME_RANGE.replace_all(&text, |captures: &Captures| {
        format!(
            "{} to {}",
            english_clock(whole(&captures[1]), whole(&captures[2])),
            english_clock(whole(&captures[3]), whole(&captures[4]))
        )
    });
    let text = TIME.replace_all(&text, |captures: &Captures| {
        english_clock(whole(&captures[1]), whole(&captures[2]))
    });
    let text = ORDINAL_DAY_ALREADY.replace_all(&text, |captures: &Captures| {
        english_ordinal(whole(&captures[1]))
    });
    let text = PERCENT.replace_all(&text, |captures: &Captures| {
        let mut spoken = english_number(whole(&captures[1]));
        if let Some(decimals) = captures.get(2) {
            spoken.push_str(" point");
            for digit in decimals
                .as_str()
                .chars()
                .filter_map(|digit| digit.to_digit(10))
            {
                spoken.push(' ');
                spoken.push_str(ONES[digit as usize]);
            }
        }
        spoken.push_str(" percent");
        spoken
    });
    text.replace(['“', '”', '"', '(', ')'], "")
}

fn english_clock(hour: u64, minute: u64) -> String {
    let suffix = if hour < 12 { "a m" } else { "p m" };
    let twelve = match hour % 12 {
        0 => 12,
        other => other,
    };
    match minute {
        0 => format!("{} {suffix}", english_number(twelve)),
        1..=9 => format!(
            "{} oh {} {suffix}",
            english_number(twelve),
            english_number(minute)
        ),
        _ => format!(
            "{} {} {suffix}",
            english_number(twelve),
            english_number(minute)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numbers_read_as_people_read_them() {
        for (value, expected) in [
            (0, "零"),
            (7, "七"),
            (10, "十"),
            (15, "十五"),
            (20, "二十"),
            (105, "一百零五"),
            (1180, "一千一百八十"),
            (1008, "一千零八"),
            (12000, "一万二千"),
            (50000, "五万"),
            (100_010, "十万零一十"),
            (1_234_567, "一百二十三万四千五百六十七"),
        ] {
            assert_eq!(chinese_number(value), expected, "{value}");
        }
    }

    #[test]
    fn english_numbers_and_ordinals() {
        assert_eq!(english_number(1180), "one thousand one hundred eighty");
        assert_eq!(english_number(42), "forty-two");
        assert_eq!(english_number(1_000_005), "one million five");
        assert_eq!(english_ordinal(15), "fifteenth");
        assert_eq!(english_ordinal(1), "first");
        assert_eq!(english_ordinal(22), "twenty-second");
        assert_eq!(english_ordinal(30), "thirtieth");
        assert_eq!(english_year(2026), "twenty twenty-six");
    }

    #[test]
    fn a_mandarin_account_answer_is_spoken_with_amounts_dates_and_the_hotline() {
        let pieces = speakable(
            "您本期应还1180.50元，还款日是2026年12月15日。人工客服每天08:00–22:00在线，热线400-800-6688。详见https://example.invalid/help",
            SpeechLanguage::Mandarin,
        );
        assert_eq!(
            pieces,
            vec![
                "您本期应还一千一百八十元五角，还款日是二零二六年十二月十五日。",
                "人工客服每天早上八点到晚上十点在线，热线四零零，八零零，六六八八。",
                "详见",
            ]
        );
        assert_eq!(
            speakable(
                "已向尾号13812345678的手机发送，利率7.2%。",
                SpeechLanguage::Mandarin
            ),
            vec!["已向尾号幺三八，幺二三四，五六七八的手机发送，利率百分之七点二。"]
        );
        assert_eq!(
            speakable("还需支付0.05元", SpeechLanguage::Mandarin),
            vec!["还需支付零元零五分"]
        );
    }

    #[test]
    fn an_english_account_answer_is_spoken_with_amounts_dates_and_the_hotline() {
        let pieces = speakable(
            "You owe CNY 1,180.50, due December 15, 2026.\nAgents work 08:00–22:00; call 400-800-6688.",
            SpeechLanguage::English,
        );
        assert_eq!(
            pieces,
            vec![
                "You owe one thousand one hundred eighty yuan and fifty fen, due December fifteenth, twenty twenty-six.",
                "Agents work eight a m to ten p m;",
                "call 4 0 0, 8 0 0, 6 6 8 8.",
            ]
        );
    }

    #[test]
    fn loan_ids_references_and_clock_times_inside_chinese_are_read_as_such() {
        assert_eq!(
            speakable(
                "安心随借（LN100801）共24期；只有在还款日20:00之后换的卡当天不生效。",
                SpeechLanguage::Mandarin
            ),
            vec![
                "安心随借L N 一 零 零 八 零 一共二十四期；",
                "只有在还款日晚上八点之后换的卡当天不生效。",
            ]
        );
        assert_eq!(
            speakable(
                "您最近的还款记录：\n· 2026年10月15日 06:00  成功\n进入“我的借款 → 立即还款”。约翰·史密斯",
                SpeechLanguage::Mandarin
            ),
            vec![
                "您最近的还款记录：",
                "二零二六年十月十五日 早上六点  成功",
                "进入我的借款 ， 立即还款。",
                "约翰·史密斯",
            ]
        );
        assert_eq!(
            speakable(
                "Your case AX261126K7Q2ZP is open. Anxin Cash Loan LN101: 6 instalments.",
                SpeechLanguage::English
            ),
            vec![
                "Your case A X two six one one two six K seven Q two Z P is open.",
                "Anxin Cash Loan L N one zero one: 6 instalments.",
            ]
        );
    }

    #[test]
    fn long_sentences_are_split_at_commas_and_nothing_is_lost() {
        let text = "我可以帮您查询本期应还金额、还款计划、提前结清金额和借款额度，也可以为您转接人工客服，请问有什么可以帮您？";
        let pieces = speakable(text, SpeechLanguage::Mandarin);
        assert!(pieces.len() >= 2, "{pieces:?}");
        assert!(pieces.iter().all(|piece| piece.chars().count() <= 60));
        assert_eq!(pieces.concat(), text);
        assert!(speakable("**  **\n\n", SpeechLanguage::English).is_empty());
    }
}
