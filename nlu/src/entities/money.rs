//! Money amounts: "三千五", "三千五百元", "两千块钱", "1.2万", "一万二", "3500元", "¥800", "800块", "3,500 yuan",
//! "$200", "200 dollars", "1.5k", "RMB 500", "five hundred dollars", and bare numbers that are clearly amounts
//! because of the verb before them ("还500", "pay 300", "先还两千").
//!
//! A number is money when it carries a currency sign or word, a "k" suffix, or a Chinese multiplier (百, 千, 万,
//! 亿: spoken Chinese uses those for amounts, while dates, counts and codes use plain digits). A bare number
//! needs a money verb just before it, and is refused when a unit follows that makes it a date, a duration or a
//! count ("还3期", "pay in 3 days", "15号"), when it touches other digits or separators (times, dates, phone
//! numbers, card tails), and when it is implausibly long for an amount.

use rust_decimal::Decimal;

use super::numbers::{
    CHINESE_NUMERAL_CHARS, english_number_word_pattern, parse_english_number, parse_number,
};
use super::{
    Candidate, Currency, EntityKind, EntityValue, Pattern, Priority, Requires, Utterance, compile,
    is_ascii_word_char, scan, when,
};

/// An amount with an optional currency before it and an optional "k" or currency after it. The match begins at
/// the start of the text or with one character that cannot continue a number or word, so that a refused number
/// is not tried again from each of its digits.
static AMOUNT: Pattern = Pattern::new(|| {
    let numeral = format!(
        r"(?:(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?|[{CHINESE_NUMERAL_CHARS}])(?:\d|[{CHINESE_NUMERAL_CHARS}])*"
    );
    compile(&format!(
        r"(?:^|[^0-9a-z{CHINESE_NUMERAL_CHARS}])(?P<prefix>(?:us\$|\$|¥|usd|rmb|cny|人民币|美元)\s?)?(?P<amount>{numeral})(?P<thousands>\s?k)?(?P<suffix>\s?(?:块钱|元钱|元|块|圆|人民币|美元|美金|yuan|rmb|cny|kuai|dollars|dollar|bucks|usd))?"
    ))
});

/// English number words followed by a currency word: "five hundred dollars".
static WORDED_AMOUNT: Pattern = Pattern::new(|| {
    let word = english_number_word_pattern();
    compile(&format!(
        r"\b(?P<amount>(?:a\s+)?(?:{word})(?:(?:\s+|-|\s+and\s+)(?:{word}))*)\s+(?P<suffix>dollars|dollar|bucks|yuan|rmb|kuai)\b"
    ))
});

/// Chinese words that make the number right after them an amount, within a few characters.
const CHINESE_MONEY_CUES: &[&str] = &[
    "还",
    "付",
    "支付",
    "转",
    "打",
    "借",
    "欠",
    "差",
    "凑",
    "交",
    "存",
    "扣",
    "剩",
    "额度",
    "金额",
    "本金",
    "利息",
    "罚息",
    "费用",
    "手续费",
    "一共",
    "总共",
    "合计",
    "最多",
    "最少",
    "至少",
    "只有",
    "才",
    "充值",
    "退",
    "到账",
    "贷",
    "提额",
    "工资",
];

/// English words that make the number right after them an amount, within a few words.
const ENGLISH_MONEY_CUES: &[&str] = &[
    "pay",
    "pays",
    "paying",
    "paid",
    "repay",
    "repaying",
    "repaid",
    "borrow",
    "borrowed",
    "borrowing",
    "owe",
    "owed",
    "owes",
    "transfer",
    "transferred",
    "send",
    "sent",
    "deposit",
    "deposited",
    "afford",
    "amount",
    "balance",
    "total",
    "charged",
    "charge",
    "refund",
    "refunded",
    "loan",
    "salary",
    "only",
    "do",
    "extra",
    "another",
    "give",
    "put",
];

/// Chinese characters that may follow a bare amount: particles and the verbs and conjunctions of "还500吧",
/// "先还两千可以吗", "500给你们". Anything else (号, 天, 个, 期, 次, ...) makes it something other than money.
const ALLOWED_AFTER_BARE_AMOUNT: &str =
    "吧吗呢啊呀哦嘛呗哈了的行可好先就再给到还够左以这那能是和跟或也都我你他她怎整";

/// English words after a number that make it a count, a time or a date rather than an amount.
const NON_MONEY_WORDS_AFTER: &[&str] = &[
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "time",
    "times",
    "instalment",
    "instalments",
    "installment",
    "installments",
    "payment",
    "payments",
    "percent",
    "am",
    "pm",
    "o'clock",
    "people",
    "digits",
    "digit",
    "minutes",
    "minute",
    "hours",
    "hour",
    "calls",
    "call",
    "of",
    "th",
    "st",
    "nd",
    "rd",
];

pub(super) fn find_money(utterance: &Utterance, candidates: &mut Vec<Candidate>) {
    let text = utterance.folded.as_str();
    scan(&AMOUNT, text, |captures| {
        let Some(amount) = captures.name("amount") else {
            return false;
        };
        let prefix = captures.name("prefix");
        let thousands = captures.name("thousands");
        let suffix = captures.name("suffix");
        let start = prefix.map_or(amount.start(), |m| m.start());
        let end = suffix.or(thousands).map_or(amount.end(), |m| m.end());
        let Some(mut value) = parse_number(amount.as_str()) else {
            return false;
        };
        if thousands.is_some() {
            let Some(thousandfold) = value.checked_mul(Decimal::from(1000)) else {
                return false;
            };
            value = thousandfold;
        }
        if value <= Decimal::ZERO {
            return false;
        }
        let prefix_text = prefix.map_or("", |m| m.as_str().trim());
        let suffix_text = suffix.map_or("", |m| m.as_str().trim());
        // Currency words written in letters must stand apart from other letters ("usd", not "busd").
        let letter_prefix = prefix_text.starts_with(|c: char| c.is_ascii_alphabetic());
        if letter_prefix && is_ascii_word_char(utterance.folded_char_before(start)) {
            return false;
        }
        if is_ascii_word_char(utterance.folded_char_after(end)) {
            return false;
        }
        if prefix_text.is_empty() && touches_other_number(utterance, amount.start(), amount.end()) {
            return false;
        }
        // "两三千" is a range; its tail "三千" alone is not the amount.
        let before_amount = utterance.folded_char_before(amount.start());
        if before_amount.is_some_and(|c| CHINESE_NUMERAL_CHARS.contains(c)) {
            return false;
        }
        let has_multiplier = amount.as_str().contains(['百', '千', '万', '亿']);
        let explicit = !prefix_text.is_empty() || !suffix_text.is_empty() || thousands.is_some();
        let accepted = if explicit {
            // "一块" is also "together" (一块儿, 一块去): a small amount with a bare 块 needs a sensible follower.
            !(suffix_text == "块"
                && value < Decimal::from(10)
                && !follower_allows_amount(utterance, end))
        } else if has_multiplier {
            follower_allows_amount(utterance, end)
                && !preceded_by_ordinal(utterance, amount.start())
        } else {
            is_plausible_bare_amount(amount.as_str(), value)
                && follower_allows_amount(utterance, end)
                && !preceded_by_ordinal(utterance, amount.start())
                && has_money_cue_before(utterance, amount.start())
        };
        if !accepted {
            return false;
        }
        let currency = currency_of(prefix_text, suffix_text);
        candidates.push(utterance.candidate(
            EntityKind::Money,
            start..end,
            EntityValue::Money {
                amount: value,
                currency,
            },
            Priority::Money,
        ));
        true
    });
    scan(
        when(utterance, Requires::LatinLetters, &WORDED_AMOUNT),
        text,
        |captures| {
            let (Some(amount), Some(suffix)) = (captures.name("amount"), captures.name("suffix"))
            else {
                return false;
            };
            let Some(value) = parse_english_number(amount.as_str()).filter(|value| *value > 0)
            else {
                return false;
            };
            candidates.push(utterance.candidate(
                EntityKind::Money,
                amount.start()..suffix.end(),
                EntityValue::Money {
                    amount: Decimal::from(value),
                    currency: currency_of("", suffix.as_str()),
                },
                Priority::Money,
            ));
            true
        },
    );
}

fn currency_of(prefix: &str, suffix: &str) -> Currency {
    let dollar_prefix = matches!(prefix, "$" | "us$" | "usd" | "美元");
    let dollar_suffix = matches!(
        suffix,
        "美元" | "美金" | "dollars" | "dollar" | "bucks" | "usd"
    );
    if dollar_prefix || dollar_suffix {
        Currency::Usd
    } else {
        Currency::Cny
    }
}

/// Whether the number is glued to other digits by a separator, as in dates ("12/3", "2026-12-03"), times
/// ("3:30"), phone numbers ("400-800-6688") or version-like strings.
fn touches_other_number(utterance: &Utterance, start: usize, end: usize) -> bool {
    let text = utterance.folded.as_str();
    let mut before = text[..start].chars().rev();
    let glued_before = matches!(
        before.next(),
        Some('-' | '/' | ':' | '.' | ',' | '+' | '#' | '*')
    ) && before.next().is_some_and(|c| c.is_ascii_digit());
    let glued_before = glued_before || is_ascii_word_char(utterance.folded_char_before(start));
    let mut after = text[end..].chars();
    let glued_after = matches!(after.next(), Some('-' | '/' | ':' | '.'))
        && after.next().is_some_and(|c| c.is_ascii_digit());
    let percent_after = text[end..].trim_start().starts_with('%');
    glued_before || glued_after || percent_after
}

/// A bare number is plausible as an amount when it has no leading zero, at most nine integer digits, and, in
/// Chinese numerals, is at least ten ("还一下" is not "repay one").
fn is_plausible_bare_amount(amount: &str, value: Decimal) -> bool {
    if amount.starts_with('0') && !amount.starts_with("0.") {
        return false;
    }
    let integer_digits = amount.split('.').next().map_or(0, |integer| {
        integer.chars().filter(char::is_ascii_digit).count()
    });
    if integer_digits > 9 {
        return false;
    }
    let written_in_chinese = !amount.starts_with(|c: char| c.is_ascii_digit());
    !(written_in_chinese && value < Decimal::from(10))
}

/// Whether what follows a number lets it be an amount: the end, punctuation, a space before an innocent
/// word, or one of the particles of [`ALLOWED_AFTER_BARE_AMOUNT`].
fn follower_allows_amount(utterance: &Utterance, end: usize) -> bool {
    let rest = &utterance.folded[end..];
    let Some(next) = rest.chars().next() else {
        return true;
    };
    if next == '多' || next == '几' || next == '来' || next == '余' {
        // "三千多" and "两千来块" are approximations, not amounts we can state back.
        return false;
    }
    if ALLOWED_AFTER_BARE_AMOUNT.contains(next) {
        return true;
    }
    if is_han(next) {
        return false;
    }
    let next_word: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphabetic() || *c == '\'')
        .collect();
    !NON_MONEY_WORDS_AFTER.contains(&next_word.as_str())
}

/// "第三千" or "第500" is an ordinal and "每千元" a rate, not an amount.
fn preceded_by_ordinal(utterance: &Utterance, start: usize) -> bool {
    matches!(utterance.folded_char_before(start), Some('第' | '每'))
}

/// Whether a money verb or noun comes shortly before the number, in the same clause.
fn has_money_cue_before(utterance: &Utterance, start: usize) -> bool {
    let window: String = {
        let mut reversed: Vec<char> = utterance.folded[..start]
            .chars()
            .rev()
            .take_while(|c| {
                !matches!(c, ',' | '.' | ';' | '!' | '?' | '。' | '、' | '\n')
                    && !c.is_ascii_digit()
            })
            .take(32)
            .collect();
        reversed.reverse();
        reversed.into_iter().collect()
    };
    let chinese_tail: String = {
        let characters: Vec<char> = window.trim_end().chars().collect();
        characters[characters.len().saturating_sub(6)..]
            .iter()
            .collect()
    };
    if CHINESE_MONEY_CUES
        .iter()
        .any(|cue| chinese_tail.contains(cue))
    {
        return true;
    }
    let words: Vec<&str> = window
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|word| !word.is_empty())
        .collect();
    words
        .iter()
        .rev()
        .take(3)
        .any(|word| ENGLISH_MONEY_CUES.contains(word))
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

#[cfg(test)]
pub(super) fn all_patterns() -> Vec<&'static Pattern> {
    vec![&AMOUNT, &WORDED_AMOUNT]
}
