//! Durations: "三个月", "半年", "两周", "一个礼拜", "10天", "一年半", "分12期" / "three months", "two weeks",
//! "10 days", "a year", "half a year", "a fortnight". The value is in days (weeks count as seven days) or in
//! months (years count as twelve). Vague amounts ("宽限几天", "两三天", "a few days") carry no number and are
//! not reported.

use regex::Captures;

use super::numbers::{english_number_word_pattern, parse_count, parse_english_number};
use super::{
    Candidate, EntityKind, EntityValue, Pattern, Priority, Requires, Utterance, compile,
    is_ascii_word_char, scan, when,
};

/// A count of months, weeks, days or years in Chinese.
static CHINESE_DURATION: Pattern = Pattern::new(|| {
    compile(
        r"(\d{1,3}|[一二两三四五六七八九十]{1,3})\s?(个\s?月|个\s?星期|个\s?礼拜|星期|礼拜|周|天|年\s?半|年)",
    )
});

/// Halves in Chinese: 半年, 半个月.
static CHINESE_HALF: Pattern = Pattern::new(|| compile(r"半\s?(年|个\s?月)"));

/// A number of instalments, which are monthly: "分12期", "分成六期".
static CHINESE_INSTALMENTS: Pattern =
    Pattern::new(|| compile(r"分\s?成?\s?(\d{1,2}|[一二两三四五六七八九十]{1,3})\s?期"));

/// A count of days, weeks, months or years in English.
static ENGLISH_DURATION: Pattern = Pattern::new(|| {
    let word = english_number_word_pattern();
    compile(&format!(
        r"\b(\d{{1,3}}|a|an|one|(?:{word})(?:[\s-](?:{word}))?)[\s-]+(?:more\s+|extra\s+|additional\s+|full\s+|whole\s+)?(days?|weeks?|months?|years?)\b"
    ))
});

/// English halves and fortnights.
static ENGLISH_SPECIAL_DURATION: Pattern = Pattern::new(|| {
    compile(
        r"\b(?:(half\s+a\s+year|half\s+a\s+month|a\s+year\s+and\s+a\s+half|(?:a\s+)?fortnight))\b",
    )
});

pub(super) fn find_durations(utterance: &Utterance, candidates: &mut Vec<Candidate>) {
    let text = utterance.folded.as_str();
    let mut push = |range: std::ops::Range<usize>, value: EntityValue| {
        candidates.push(utterance.candidate(
            EntityKind::Duration,
            range,
            value,
            Priority::Duration,
        ));
    };
    scan(
        when(utterance, Requires::Han, &CHINESE_DURATION),
        text,
        |captures| {
            let Some(value) = chinese_duration(captures, utterance) else {
                return false;
            };
            let Some(whole) = captures.get(0) else {
                return false;
            };
            push(whole.range(), value);
            true
        },
    );
    scan(
        when(utterance, Requires::Han, &CHINESE_HALF),
        text,
        |captures| {
            let (Some(whole), Some(unit)) = (captures.get(0), captures.get(1)) else {
                return false;
            };
            // "一年半" is read whole by the rule above; "半" here must not follow a numeral.
            let before = utterance.folded_char_before(whole.start());
            if before.is_some_and(|c| c == '年' || c == '个' || c.is_ascii_digit()) {
                return false;
            }
            let value = if unit.as_str() == "年" {
                EntityValue::DurationMonths(6)
            } else {
                EntityValue::DurationDays(15)
            };
            push(whole.range(), value);
            true
        },
    );
    scan(
        when(utterance, Requires::Han, &CHINESE_INSTALMENTS),
        text,
        |captures| {
            let (Some(whole), Some(count)) = (captures.get(0), captures.get(1)) else {
                return false;
            };
            let Some(months) = parse_count(count.as_str(), 60).filter(|months| *months >= 1) else {
                return false;
            };
            push(whole.range(), EntityValue::DurationMonths(months));
            true
        },
    );
    scan(
        when(utterance, Requires::LatinLetters, &ENGLISH_DURATION),
        text,
        |captures| {
            let Some(whole) = captures.get(0) else {
                return false;
            };
            if is_ascii_word_char(utterance.folded_char_before(whole.start())) {
                return false;
            }
            let Some(value) = english_duration(captures, utterance) else {
                return false;
            };
            push(whole.range(), value);
            true
        },
    );
    scan(
        when(utterance, Requires::LatinLetters, &ENGLISH_SPECIAL_DURATION),
        text,
        |captures| {
            let Some(whole) = captures.get(0) else {
                return false;
            };
            let phrase = whole.as_str();
            let value = if phrase.contains("fortnight") {
                EntityValue::DurationDays(14)
            } else if phrase.contains("and a half") {
                EntityValue::DurationMonths(18)
            } else if phrase.ends_with("year") {
                EntityValue::DurationMonths(6)
            } else {
                EntityValue::DurationDays(15)
            };
            push(whole.range(), value);
            true
        },
    );
}

fn chinese_duration(captures: &Captures, utterance: &Utterance) -> Option<EntityValue> {
    let whole = captures.get(0)?;
    let count_text = captures.get(1)?.as_str();
    let unit: String = captures
        .get(2)?
        .as_str()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let before = utterance.folded_char_before(whole.start());
    // "第三个月" is an ordinal, "每天" a frequency, and "2026年" a year.
    if before.is_some_and(|c| {
        c.is_ascii_digit()
            || "第每".contains(c)
            || super::numbers::CHINESE_NUMERAL_CHARS.contains(c)
    }) {
        return None;
    }
    let after = utterance.folded_char_after(whole.end());
    let count = parse_count(count_text, 999).filter(|count| *count >= 1)?;
    match unit.as_str() {
        "个月" => Some(EntityValue::DurationMonths(count)),
        "个星期" | "个礼拜" | "星期" | "礼拜" | "周" => {
            // "一周五" or "两个星期三" name weekdays, not weeks.
            if after.is_some_and(|c| "一二三四五六日天末".contains(c)) {
                return None;
            }
            Some(EntityValue::DurationDays(count.checked_mul(7)?))
        }
        "天" => Some(EntityValue::DurationDays(count)),
        "年半" if count <= 50 => Some(EntityValue::DurationMonths(
            count.checked_mul(12)?.checked_add(6)?,
        )),
        "年" if count <= 50 => {
            // "三年级" is a school grade; "2026年12月" is a date.
            if after.is_some_and(|c| "级月前".contains(c)) {
                return None;
            }
            Some(EntityValue::DurationMonths(count.checked_mul(12)?))
        }
        _ => None,
    }
}

fn english_duration(captures: &Captures, utterance: &Utterance) -> Option<EntityValue> {
    let whole = captures.get(0)?;
    let count_text = captures.get(1)?.as_str();
    let unit = captures.get(2)?.as_str();
    let count: u32 = match count_text {
        "a" | "an" => {
            // "twice a day" and "once a month" are frequencies, not durations.
            let previous_word = utterance.folded[..whole.start()]
                .trim_end()
                .rsplit(|c: char| !c.is_ascii_alphabetic())
                .next()
                .unwrap_or_default();
            if matches!(previous_word, "once" | "twice" | "times" | "per" | "every") {
                return None;
            }
            // "200 a week" is a rate.
            let previous_token = utterance.folded[..whole.start()]
                .split_whitespace()
                .next_back();
            if previous_token
                .is_some_and(|token| token.ends_with(|c: char| c.is_ascii_digit() || c == 'k'))
            {
                return None;
            }
            1
        }
        digits if digits.starts_with(|c: char| c.is_ascii_digit()) => digits.parse().ok()?,
        words => u32::try_from(parse_english_number(words)?).ok()?,
    };
    if count == 0 {
        return None;
    }
    // "35 years old" is an age.
    let next_word = utterance.folded[whole.end()..]
        .split_whitespace()
        .next()
        .unwrap_or_default();
    if next_word.starts_with("old") {
        return None;
    }
    if unit.starts_with("day") {
        Some(EntityValue::DurationDays(count))
    } else if unit.starts_with("week") {
        Some(EntityValue::DurationDays(count.checked_mul(7)?))
    } else if unit.starts_with("month") {
        Some(EntityValue::DurationMonths(count))
    } else if count <= 50 {
        Some(EntityValue::DurationMonths(count.checked_mul(12)?))
    } else {
        None
    }
}

#[cfg(test)]
pub(super) fn all_patterns() -> Vec<&'static Pattern> {
    vec![
        &CHINESE_DURATION,
        &CHINESE_HALF,
        &CHINESE_INSTALMENTS,
        &ENGLISH_DURATION,
        &ENGLISH_SPECIAL_DURATION,
    ]
}
