//! Amounts and dates written the way each language writes them.
//!
//! Chinese replies write money as `1180.00元` and dates as `2026年12月15日`; English replies write `CNY 1,180.00` and
//! `December 15, 2026`. Everything here is a pure function of its arguments, so the reply templates receive
//! ready-made strings and never format numbers themselves.

use chrono::{DateTime, FixedOffset, NaiveDate};
use nlu::Lang;
use rust_decimal::{Decimal, RoundingStrategy};

/// How far away a date may be for [`relative_day`] to describe it relative to today.
pub const RELATIVE_DAY_HORIZON: i64 = 31;

/// An amount of CNY with two decimals: `1180.00元` in Chinese, `CNY 1,180.00` in English.
pub fn money(amount: Decimal, lang: Lang) -> String {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let plain = format!("{:.2}", rounded.abs());
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    match lang {
        Lang::Zh => format!("{sign}{plain}元"),
        Lang::En => format!("CNY {sign}{}", with_thousands_separators(&plain)),
    }
}

/// Inserts a comma between every group of three digits of the integer part of `plain` (`1234.50` → `1,234.50`).
fn with_thousands_separators(plain: &str) -> String {
    let (integer_part, fraction_part) = match plain.split_once('.') {
        Some((integer_part, fraction_part)) => (integer_part, Some(fraction_part)),
        None => (plain, None),
    };
    let digit_count = integer_part.chars().count();
    let mut grouped = String::with_capacity(plain.len() + digit_count / 3);
    for (index, digit) in integer_part.chars().enumerate() {
        if index > 0 && (digit_count - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if let Some(fraction_part) = fraction_part {
        grouped.push('.');
        grouped.push_str(fraction_part);
    }
    grouped
}

/// A calendar date: `2026年12月15日` in Chinese, `December 15, 2026` in English.
pub fn date(day: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => day.format("%Y年%-m月%-d日").to_string(),
        Lang::En => day.format("%B %-d, %Y").to_string(),
    }
}

/// A date and a wall-clock time in the offset it was recorded in: `2026年11月26日 06:00` or
/// `November 26, 2026 at 06:00`.
pub fn date_time(moment: DateTime<FixedOffset>, lang: Lang) -> String {
    let day = date(moment.date_naive(), lang);
    let clock = moment.format("%H:%M");
    match lang {
        Lang::Zh => format!("{day} {clock}"),
        Lang::En => format!("{day} at {clock}"),
    }
}

/// Where `day` lies relative to `today` in words (今天/明天/还有3天/昨天/5天前, today/tomorrow/in 3 days/yesterday/
/// 5 days ago), or `None` when it is more than [`RELATIVE_DAY_HORIZON`] days away and the words would not help.
pub fn relative_day(day: NaiveDate, today: NaiveDate, lang: Lang) -> Option<String> {
    let days_ahead = (day - today).num_days();
    if days_ahead.abs() > RELATIVE_DAY_HORIZON {
        return None;
    }
    let words = match (lang, days_ahead) {
        (Lang::Zh, 0) => "今天".to_owned(),
        (Lang::Zh, 1) => "明天".to_owned(),
        (Lang::Zh, -1) => "昨天".to_owned(),
        (Lang::Zh, ahead) if ahead > 0 => format!("还有{ahead}天"),
        (Lang::Zh, ahead) => format!("{}天前", -ahead),
        (Lang::En, 0) => "today".to_owned(),
        (Lang::En, 1) => "tomorrow".to_owned(),
        (Lang::En, -1) => "yesterday".to_owned(),
        (Lang::En, ahead) if ahead > 0 => format!("in {ahead} days"),
        (Lang::En, ahead) => format!("{} days ago", -ahead),
    };
    Some(words)
}

/// A date followed by its relative description when that helps: `2026年12月15日（还有3天）` or
/// `December 15, 2026 (in 3 days)`.
pub fn date_with_relative(day: NaiveDate, today: NaiveDate, lang: Lang) -> String {
    let absolute = date(day, lang);
    match (relative_day(day, today, lang), lang) {
        (Some(relative), Lang::Zh) => format!("{absolute}（{relative}）"),
        (Some(relative), Lang::En) => format!("{absolute} ({relative})"),
        (None, _) => absolute,
    }
}

/// A number of days: `11天`, `1 day`, `11 days`.
pub fn day_count(days: u32, lang: Lang) -> String {
    match (lang, days) {
        (Lang::Zh, days) => format!("{days}天"),
        (Lang::En, 1) => "1 day".to_owned(),
        (Lang::En, days) => format!("{days} days"),
    }
}

/// Instalment numbers: `第8期`, `第7、8期` in Chinese; `instalment 8`, `instalments 7 and 8`,
/// `instalments 6, 7 and 8` in English.
pub fn instalment_numbers(sequence_numbers: &[u32], lang: Lang) -> String {
    let numbers: Vec<String> = sequence_numbers.iter().map(u32::to_string).collect();
    match lang {
        Lang::Zh => format!("第{}期", numbers.join("、")),
        Lang::En => {
            let noun = if numbers.len() == 1 {
                "instalment"
            } else {
                "instalments"
            };
            format!("{noun} {}", join_with_and(&numbers, lang))
        }
    }
}

/// Joins items as a list: `14:00和20:00`, `06:00、14:00和20:00`; `14:00 and 20:00`, `06:00, 14:00 and 20:00`.
pub fn join_with_and(items: &[String], lang: Lang) -> String {
    let (separator, last_separator) = match lang {
        Lang::Zh => ("、", "和"),
        Lang::En => (", ", " and "),
    };
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{}{last_separator}{last}", init.join(separator)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn decimal(text: &str) -> Decimal {
        Decimal::from_str(text).expect("test amounts are valid decimals")
    }

    fn day(year: i32, month: u32, day_of_month: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day_of_month).expect("test dates are valid")
    }

    #[test]
    fn money_in_chinese_has_two_decimals_and_no_separators() {
        assert_eq!(money(decimal("1180"), Lang::Zh), "1180.00元");
        assert_eq!(money(decimal("1234567.5"), Lang::Zh), "1234567.50元");
        assert_eq!(money(decimal("0"), Lang::Zh), "0.00元");
        assert_eq!(money(decimal("8.135"), Lang::Zh), "8.14元");
        assert_eq!(money(decimal("-25.2"), Lang::Zh), "-25.20元");
    }

    #[test]
    fn money_in_english_groups_thousands() {
        assert_eq!(money(decimal("1180"), Lang::En), "CNY 1,180.00");
        assert_eq!(money(decimal("999.999"), Lang::En), "CNY 1,000.00");
        assert_eq!(money(decimal("1234567.891"), Lang::En), "CNY 1,234,567.89");
        assert_eq!(money(decimal("100"), Lang::En), "CNY 100.00");
        assert_eq!(money(decimal("-0.001"), Lang::En), "CNY 0.00");
        assert_eq!(money(decimal("-100000"), Lang::En), "CNY -100,000.00");
    }

    #[test]
    fn dates_are_written_per_language() {
        assert_eq!(date(day(2026, 12, 15), Lang::Zh), "2026年12月15日");
        assert_eq!(date(day(2027, 1, 5), Lang::Zh), "2027年1月5日");
        assert_eq!(date(day(2026, 12, 15), Lang::En), "December 15, 2026");
        assert_eq!(date(day(2027, 1, 5), Lang::En), "January 5, 2027");
    }

    #[test]
    fn date_times_keep_their_recorded_offset() {
        let moment =
            DateTime::parse_from_rfc3339("2026-11-26T06:00:12+08:00").expect("valid timestamp");
        assert_eq!(date_time(moment, Lang::Zh), "2026年11月26日 06:00");
        assert_eq!(date_time(moment, Lang::En), "November 26, 2026 at 06:00");
    }

    #[test]
    fn relative_days_cover_past_and_future_within_the_horizon() {
        let today = day(2026, 11, 26);
        let cases = [
            (day(2026, 11, 26), "今天", "today"),
            (day(2026, 11, 27), "明天", "tomorrow"),
            (day(2026, 11, 25), "昨天", "yesterday"),
            (day(2026, 11, 29), "还有3天", "in 3 days"),
            (day(2026, 11, 15), "11天前", "11 days ago"),
        ];
        for (when, chinese, english) in cases {
            assert_eq!(
                relative_day(when, today, Lang::Zh).as_deref(),
                Some(chinese)
            );
            assert_eq!(
                relative_day(when, today, Lang::En).as_deref(),
                Some(english)
            );
        }
        assert_eq!(
            relative_day(day(2026, 12, 27), today, Lang::En).as_deref(),
            Some("in 31 days")
        );
        assert_eq!(relative_day(day(2026, 12, 28), today, Lang::En), None);
        assert_eq!(relative_day(day(2026, 10, 25), today, Lang::Zh), None);
    }

    #[test]
    fn dates_with_relative_words_only_when_close() {
        let today = day(2026, 11, 26);
        assert_eq!(
            date_with_relative(day(2026, 12, 15), today, Lang::Zh),
            "2026年12月15日（还有19天）"
        );
        assert_eq!(
            date_with_relative(day(2026, 11, 27), today, Lang::En),
            "November 27, 2026 (tomorrow)"
        );
        assert_eq!(
            date_with_relative(day(2027, 3, 15), today, Lang::En),
            "March 15, 2027"
        );
    }

    #[test]
    fn counts_and_lists_read_naturally() {
        assert_eq!(day_count(1, Lang::En), "1 day");
        assert_eq!(day_count(11, Lang::En), "11 days");
        assert_eq!(day_count(11, Lang::Zh), "11天");
        assert_eq!(instalment_numbers(&[8], Lang::Zh), "第8期");
        assert_eq!(instalment_numbers(&[7, 8], Lang::Zh), "第7、8期");
        assert_eq!(instalment_numbers(&[8], Lang::En), "instalment 8");
        assert_eq!(
            instalment_numbers(&[6, 7, 8], Lang::En),
            "instalments 6, 7 and 8"
        );
        let times = ["06:00".to_owned(), "14:00".to_owned(), "20:00".to_owned()];
        assert_eq!(join_with_and(&times, Lang::Zh), "06:00、14:00和20:00");
        assert_eq!(join_with_and(&times[1..], Lang::En), "14:00 and 20:00");
        assert_eq!(join_with_and(&times[..1], Lang::En), "06:00");
    }
}
