//! Dates, resolved to a calendar day against the reference date.
//!
//! Chinese: 今天, 明天, 后天, 大后天, 昨天, 前天; 下周五, 这周三, 本周日, 下下周一, 上周五; 周五 and 星期五 alone (the
//! coming one, today excluded); 15号 and 15日 (this month if the day has not passed, otherwise next month); 月底,
//! 月初, 月中, 下个月底; 下个月5号; 12月3日 (the nearest such day, ties going forward); 2026年12月3日; 三天后,
//! 两周后, 三个月后, 三天前. English: today, tonight, tomorrow, the day after tomorrow, yesterday; next Friday (the
//! Friday of next week, like 下周五), this Friday (the coming one, today included), Friday and on Fri (the coming
//! one, today excluded), last Friday; the 15th, the 5th of next month; end of the month, end of next month;
//! December 3, Dec 3rd, 3 December, 3rd of December 2026; in 3 days, two weeks from now, 3 days ago. Numeric:
//! 2026-12-03, 2026/12/03, 12/3 (month first), 12/3/2026.
//!
//! Days of a month that does not have them are clamped to its last day ("31号" in November is November 30).

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use regex::Captures;
use rust_decimal::prelude::ToPrimitive;

use super::numbers::{parse_count, parse_english_number, parse_number};
use super::{
    Candidate, EntityKind, EntityValue, Pattern, Priority, Requires, Utterance, compile,
    is_ascii_word_char, scan,
};

/// A day of the month in Arabic digits or Chinese numerals (1 to 31).
const DAY: &str = r"(\d{1,2}|[一二三四五六七八九十]{1,3})";
/// A month in Arabic digits or Chinese numerals (1 to 12).
const MONTH: &str = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])";
/// A small count in Arabic digits or Chinese numerals.
const COUNT: &str = r"(\d{1,3}|[一二两三四五六七八九十]{1,3})";
/// English weekday names and their abbreviations, longest first.
const WEEKDAY_NAMES: &str = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|thurs|tues|thur|mon|tue|wed|thu|fri|sat|sun";
/// English month names and their abbreviations, longest first.
const MONTH_NAMES: &str = "september|february|november|december|january|october|august|march|april|sept|june|july|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec";

/// Offsets such as 下, 这 and 上 that pick a week or a month relative to the current one.
const RELATIVE: &str = "(下下|下|这|本|上)";

/// One way of writing a date and how to resolve it.
struct DateRule {
    pattern: &'static Pattern,
    requires: Requires,
    resolve: fn(&Captures, &Utterance) -> Option<NaiveDate>,
}

static CHINESE_FULL_DATE: Pattern = Pattern::new(|| {
    compile(&format!(
        r"(\d{{4}}|[零〇一二三四五六七八九]{{4}})\s?年\s?{MONTH}\s?月\s?{DAY}\s?[日号]?"
    ))
});
static ISO_DATE: Pattern = Pattern::new(|| compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"));
static SLASH_DATE_WITH_YEAR: Pattern = Pattern::new(|| compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"));
static SLASH_DATE: Pattern = Pattern::new(|| compile(r"(\d{1,2})/(\d{1,2})"));
static CHINESE_MONTH_DAY: Pattern =
    Pattern::new(|| compile(&format!(r"{MONTH}\s?月\s?(?:份\s?)?{DAY}\s?([日号])?")));
static CHINESE_RELATIVE_MONTH_DAY: Pattern = Pattern::new(|| {
    compile(&format!(
        r"{RELATIVE}\s?个?\s?月\s?(?:的\s?)?{DAY}\s?[日号]"
    ))
});
static CHINESE_MONTH_EDGE: Pattern =
    Pattern::new(|| compile(&format!(r"{RELATIVE}?\s?个?\s?月\s?(底|末|初|中)")));
static CHINESE_NAMED_MONTH_EDGE: Pattern =
    Pattern::new(|| compile(&format!(r"{MONTH}\s?月\s?(底|末|初|中)")));
static CHINESE_YEAR_END: Pattern =
    Pattern::new(|| compile(r"(?:(\d{4})\s?|(今|明|去))?年\s?(?:底|末)"));
static CHINESE_RELATIVE_WEEKDAY: Pattern = Pattern::new(|| {
    compile(&format!(
        r"{RELATIVE}\s?个?\s?(?:周|星期|礼拜)\s?([一二三四五六日天末1-7])"
    ))
});
static CHINESE_WEEKDAY: Pattern =
    Pattern::new(|| compile(r"(?:周|星期|礼拜)\s?([一二三四五六日天末1-7])"));
static CHINESE_RELATIVE_DAY: Pattern = Pattern::new(|| {
    compile(
        r"大后天|后天|明天|明日|明儿|明早|明晚|今天|今日|今儿|今晚|今早|大前天|前天|昨天|昨日|昨晚",
    )
});
static CHINESE_DAY_OF_MONTH: Pattern = Pattern::new(|| compile(&format!(r"{DAY}\s?([号日])")));
static CHINESE_COUNT_LATER: Pattern = Pattern::new(|| {
    compile(&format!(
        r"{COUNT}\s?(个\s?)?(天|周|星期|礼拜|月)\s?(以后|之后|后|前)"
    ))
});
static ENGLISH_RELATIVE_DAY: Pattern = Pattern::new(|| {
    compile(
        r"\b(?:(?:the\s+)?day\s+after\s+tomorrow|the\s+day\s+before\s+yesterday|tomorrow|tmrw|tmr|today|tonight|yesterday)\b",
    )
});
static ENGLISH_RELATIVE_WEEKDAY: Pattern = Pattern::new(|| {
    compile(&format!(
        r"\b(next|this\s+coming|this|coming|last)\s+({WEEKDAY_NAMES})\b"
    ))
});
static ENGLISH_WEEKDAY_OF_WEEK: Pattern = Pattern::new(|| {
    compile(&format!(
        r"\b(?:({WEEKDAY_NAMES})\s+(next|this)\s+week|(next|this)\s+week(?:\s+on)?\s+({WEEKDAY_NAMES}))\b"
    ))
});
static ENGLISH_WEEKDAY: Pattern = Pattern::new(|| {
    compile(r"\b(?P<span>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b")
});
/// Abbreviated weekdays only after "on" ("on Fri"), since "sun", "sat" and "wed" are also ordinary words.
static ENGLISH_ABBREVIATED_WEEKDAY: Pattern =
    Pattern::new(|| compile(&format!(r"\bon\s+(?P<span>{WEEKDAY_NAMES})\b")));
static ENGLISH_ORDINAL_DAY: Pattern = Pattern::new(|| {
    compile(r"\b(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b(?:\s+of\s+(?:the\s+)?(this|next)\s+month\b)?")
});
static ENGLISH_MONTH_DAY: Pattern = Pattern::new(|| {
    compile(&format!(
        r"\b({MONTH_NAMES})\.?\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}})\b)?"
    ))
});
static ENGLISH_DAY_MONTH: Pattern = Pattern::new(|| {
    compile(&format!(
        r"\b(?:the\s+)?(\d{{1,2}})(st|nd|rd|th)?\s+(of\s+)?({MONTH_NAMES})\b\.?(?:,?\s+(\d{{4}})\b)?"
    ))
});
static ENGLISH_MONTH_EDGE: Pattern = Pattern::new(|| {
    compile(
        r"\b(?:(?:the\s+)?(end|beginning|start|middle)\s+of\s+(?:(?:the|this)\s+|(next)\s+)?month|month[\s-]end)\b",
    )
});
static ENGLISH_YEAR_END: Pattern =
    Pattern::new(|| compile(r"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?year\b|\byear[\s-]end\b"));
static ENGLISH_COUNT_LATER: Pattern = Pattern::new(|| {
    let word = super::numbers::english_number_word_pattern();
    compile(&format!(
        r"\b(?:in\s+(\d{{1,3}}|a|an|(?:{word})(?:[\s-](?:{word}))?)\s+(days?|weeks?|months?)|(\d{{1,3}}|a|an|(?:{word})(?:[\s-](?:{word}))?)\s+(days?|weeks?|months?)\s+(from\s+now|later|ago))\b"
    ))
});

static RULES: [DateRule; 25] = [
    DateRule {
        pattern: &CHINESE_FULL_DATE,
        requires: Requires::Han,
        resolve: resolve_chinese_full_date,
    },
    DateRule {
        pattern: &ISO_DATE,
        requires: Requires::Digits,
        resolve: resolve_iso_date,
    },
    DateRule {
        pattern: &SLASH_DATE_WITH_YEAR,
        requires: Requires::Digits,
        resolve: resolve_slash_date_with_year,
    },
    DateRule {
        pattern: &SLASH_DATE,
        requires: Requires::Digits,
        resolve: resolve_slash_date,
    },
    DateRule {
        pattern: &CHINESE_MONTH_DAY,
        requires: Requires::Han,
        resolve: resolve_chinese_month_day,
    },
    DateRule {
        pattern: &CHINESE_RELATIVE_MONTH_DAY,
        requires: Requires::Han,
        resolve: resolve_chinese_relative_month_day,
    },
    DateRule {
        pattern: &CHINESE_MONTH_EDGE,
        requires: Requires::Han,
        resolve: resolve_chinese_month_edge,
    },
    DateRule {
        pattern: &CHINESE_NAMED_MONTH_EDGE,
        requires: Requires::Han,
        resolve: resolve_chinese_named_month_edge,
    },
    DateRule {
        pattern: &CHINESE_YEAR_END,
        requires: Requires::Han,
        resolve: resolve_chinese_year_end,
    },
    DateRule {
        pattern: &CHINESE_RELATIVE_WEEKDAY,
        requires: Requires::Han,
        resolve: resolve_chinese_relative_weekday,
    },
    DateRule {
        pattern: &CHINESE_WEEKDAY,
        requires: Requires::Han,
        resolve: resolve_chinese_weekday,
    },
    DateRule {
        pattern: &CHINESE_RELATIVE_DAY,
        requires: Requires::Han,
        resolve: resolve_chinese_relative_day,
    },
    DateRule {
        pattern: &CHINESE_DAY_OF_MONTH,
        requires: Requires::Han,
        resolve: resolve_chinese_day_of_month,
    },
    DateRule {
        pattern: &CHINESE_COUNT_LATER,
        requires: Requires::Han,
        resolve: resolve_chinese_count_later,
    },
    DateRule {
        pattern: &ENGLISH_RELATIVE_DAY,
        requires: Requires::LatinLetters,
        resolve: resolve_english_relative_day,
    },
    DateRule {
        pattern: &ENGLISH_RELATIVE_WEEKDAY,
        requires: Requires::LatinLetters,
        resolve: resolve_english_relative_weekday,
    },
    DateRule {
        pattern: &ENGLISH_WEEKDAY_OF_WEEK,
        requires: Requires::LatinLetters,
        resolve: resolve_english_weekday_of_week,
    },
    DateRule {
        pattern: &ENGLISH_WEEKDAY,
        requires: Requires::LatinLetters,
        resolve: resolve_english_weekday,
    },
    DateRule {
        pattern: &ENGLISH_ABBREVIATED_WEEKDAY,
        requires: Requires::LatinLetters,
        resolve: resolve_english_weekday,
    },
    DateRule {
        pattern: &ENGLISH_ORDINAL_DAY,
        requires: Requires::LatinLetters,
        resolve: resolve_english_ordinal_day,
    },
    DateRule {
        pattern: &ENGLISH_MONTH_DAY,
        requires: Requires::LatinLetters,
        resolve: resolve_english_month_day,
    },
    DateRule {
        pattern: &ENGLISH_DAY_MONTH,
        requires: Requires::LatinLetters,
        resolve: resolve_english_day_month,
    },
    DateRule {
        pattern: &ENGLISH_MONTH_EDGE,
        requires: Requires::LatinLetters,
        resolve: resolve_english_month_edge,
    },
    DateRule {
        pattern: &ENGLISH_YEAR_END,
        requires: Requires::LatinLetters,
        resolve: resolve_english_year_end,
    },
    DateRule {
        pattern: &ENGLISH_COUNT_LATER,
        requires: Requires::LatinLetters,
        resolve: resolve_english_count_later,
    },
];

pub(super) fn find_dates(utterance: &Utterance, candidates: &mut Vec<Candidate>) {
    let text = utterance.folded.as_str();
    for rule in RULES.iter().filter(|rule| utterance.meets(rule.requires)) {
        scan(rule.pattern, text, |captures| {
            let Some(whole) = captures.get(0) else {
                return false;
            };
            // A match that starts or ends with a letter or digit must not continue a word or a number.
            let starts_with_word_char = whole
                .as_str()
                .starts_with(|c: char| c.is_ascii_alphanumeric());
            let ends_with_word_char = whole
                .as_str()
                .ends_with(|c: char| c.is_ascii_alphanumeric());
            if (starts_with_word_char
                && is_ascii_word_char(utterance.folded_char_before(whole.start())))
                || (ends_with_word_char
                    && is_ascii_word_char(utterance.folded_char_after(whole.end())))
            {
                return false;
            }
            let Some(date) = (rule.resolve)(captures, utterance) else {
                return false;
            };
            let span = captures.name("span").unwrap_or(whole);
            candidates.push(utterance.candidate(
                EntityKind::Date,
                span.range(),
                EntityValue::Date(date),
                Priority::Date,
            ));
            true
        });
    }
}

// Calendar arithmetic.

fn add_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        date.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

fn add_months(date: NaiveDate, months: i64) -> Option<NaiveDate> {
    let months_u32 = u32::try_from(months.unsigned_abs()).ok()?;
    if months >= 0 {
        date.checked_add_months(Months::new(months_u32))
    } else {
        date.checked_sub_months(Months::new(months_u32))
    }
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    add_days(first.checked_add_months(Months::new(1))?, -1)
}

/// A day in the month `months_ahead` months after the reference's month, clamped to that month's last day.
fn day_in_month(reference: NaiveDate, months_ahead: i64, day: u32) -> Option<NaiveDate> {
    if !(1..=31).contains(&day) {
        return None;
    }
    let first_of_month = add_months(reference.with_day(1)?, months_ahead)?;
    let last = last_day_of_month(first_of_month.year(), first_of_month.month())?;
    first_of_month.with_day(day.min(last.day()))
}

/// "15号": this month if the day has not passed yet (today counts), otherwise next month.
fn upcoming_day_of_month(reference: NaiveDate, day: u32) -> Option<NaiveDate> {
    if day >= reference.day() {
        day_in_month(reference, 0, day)
    } else {
        day_in_month(reference, 1, day)
    }
}

/// "12月3日" without a year: the nearest such date, a tie going to the future.
fn nearest_month_day(reference: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    [reference.year() - 1, reference.year(), reference.year() + 1]
        .into_iter()
        .filter_map(|year| NaiveDate::from_ymd_opt(year, month, day))
        .min_by_key(|date| {
            let distance = (*date - reference).num_days();
            (distance.abs(), distance < 0)
        })
}

/// The Monday of the reference's week.
fn monday_of(reference: NaiveDate) -> Option<NaiveDate> {
    add_days(
        reference,
        -i64::from(reference.weekday().num_days_from_monday()),
    )
}

/// A weekday of the week `weeks_ahead` weeks after the reference's (weeks start on Monday).
fn weekday_of_week(reference: NaiveDate, weeks_ahead: i64, weekday: Weekday) -> Option<NaiveDate> {
    add_days(
        monday_of(reference)?,
        weeks_ahead * 7 + i64::from(weekday.num_days_from_monday()),
    )
}

/// The next date that falls on `weekday`, today included or not.
fn coming_weekday(
    reference: NaiveDate,
    weekday: Weekday,
    include_today: bool,
) -> Option<NaiveDate> {
    let ahead = (7 + i64::from(weekday.num_days_from_monday())
        - i64::from(reference.weekday().num_days_from_monday()))
        % 7;
    let ahead = if ahead == 0 && !include_today {
        7
    } else {
        ahead
    };
    add_days(reference, ahead)
}

/// The most recent date before today that falls on `weekday`.
fn previous_weekday(reference: NaiveDate, weekday: Weekday) -> Option<NaiveDate> {
    let behind = (7 + i64::from(reference.weekday().num_days_from_monday())
        - i64::from(weekday.num_days_from_monday()))
        % 7;
    add_days(reference, -(if behind == 0 { 7 } else { behind }))
}

/// The coming weekend's Saturday, or today when today is already the weekend.
fn coming_weekend(reference: NaiveDate) -> Option<NaiveDate> {
    match reference.weekday() {
        Weekday::Sat | Weekday::Sun => Some(reference),
        _ => coming_weekday(reference, Weekday::Sat, false),
    }
}

// Reading the pieces.

fn captured<'h>(captures: &Captures<'h>, group: usize) -> Option<&'h str> {
    captures.get(group).map(|m| m.as_str())
}

fn chinese_weekday(text: &str) -> Option<Weekday> {
    Some(match text {
        "一" | "1" => Weekday::Mon,
        "二" | "2" => Weekday::Tue,
        "三" | "3" => Weekday::Wed,
        "四" | "4" => Weekday::Thu,
        "五" | "5" => Weekday::Fri,
        "六" | "6" => Weekday::Sat,
        "日" | "天" | "7" => Weekday::Sun,
        _ => return None,
    })
}

fn english_weekday(text: &str) -> Option<Weekday> {
    Some(match text {
        "monday" | "mon" => Weekday::Mon,
        "tuesday" | "tues" | "tue" => Weekday::Tue,
        "wednesday" | "wed" => Weekday::Wed,
        "thursday" | "thurs" | "thur" | "thu" => Weekday::Thu,
        "friday" | "fri" => Weekday::Fri,
        "saturday" | "sat" => Weekday::Sat,
        "sunday" | "sun" => Weekday::Sun,
        _ => return None,
    })
}

fn english_month(text: &str) -> Option<u32> {
    Some(match text {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sept" | "sep" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    })
}

/// The week or month offset of 下下, 下, 这, 本 and 上.
fn relative_offset(text: &str) -> Option<i64> {
    Some(match text {
        "下下" => 2,
        "下" => 1,
        "这" | "本" => 0,
        "上" => -1,
        _ => return None,
    })
}

fn month_number(text: &str) -> Option<u32> {
    parse_count(text, 12).filter(|month| *month >= 1)
}

fn day_number(text: &str) -> Option<u32> {
    parse_count(text, 31).filter(|day| *day >= 1)
}

/// Whether the character before a match is one that makes it part of a longer numeral or a different word.
fn preceded_by_numeral(utterance: &Utterance, start: usize) -> bool {
    utterance
        .folded_char_before(start)
        .is_some_and(|c| c.is_ascii_digit() || super::numbers::CHINESE_NUMERAL_CHARS.contains(c))
}

// The resolvers, one per rule.

fn resolve_chinese_full_date(captures: &Captures, _: &Utterance) -> Option<NaiveDate> {
    let year = parse_number(captured(captures, 1)?)?.to_i32()?;
    NaiveDate::from_ymd_opt(
        year,
        month_number(captured(captures, 2)?)?,
        day_number(captured(captures, 3)?)?,
    )
}

fn resolve_iso_date(captures: &Captures, _: &Utterance) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        captured(captures, 1)?.parse().ok()?,
        captured(captures, 2)?.parse().ok()?,
        captured(captures, 3)?.parse().ok()?,
    )
}

fn resolve_slash_date_with_year(captures: &Captures, _: &Utterance) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        captured(captures, 3)?.parse().ok()?,
        captured(captures, 1)?.parse().ok()?,
        captured(captures, 2)?.parse().ok()?,
    )
}

fn resolve_slash_date(captures: &Captures, utterance: &Utterance) -> Option<NaiveDate> {
    let whole = captures.get(0)?;
    // "1/2/3" or "3/4/" belong to something longer; "12/3" alone is month and day.
    let before = utterance.folded_char_before(whole.start());
    let after = utterance.folded_char_after(whole.end());
    if matches!(before, Some('/' | '-' | '.')) || matches!(after, Some('/' | '-' | '%')) {
        return None;
    }
    nearest_month_day(
        utterance.reference_date,
        captured(captures, 1)?.parse().ok()?,
        captured(captures, 2)?.parse().ok()?,
    )
}

fn resolve_chinese_month_day(captures: &Captures, utterance: &Utterance) -> Option<NaiveDate> {
    let whole = captures.get(0)?;
    if preceded_by_numeral(utterance, whole.start()) {
        return None;
    }
    let day_text = captured(captures, 2)?;
    // Without 日 or 号, "3月12" needs the day to end the phrase, not to run into a count ("3月12期").
    if captures.get(3).is_none() {
        let after = utterance.folded_char_after(whole.end());
        if after.is_some_and(|c| {
            c.is_alphanumeric() && !matches!(c, '还' | '前' | '之' | '以' | '左' | '的' | '吧')
        }) {
            return None;
        }
    }
    nearest_month_day(
        utterance.reference_date,
        month_number(captured(captures, 1)?)?,
        day_number(day_text)?,
    )
}

fn resolve_chinese_relative_month_day(
    captures: &Captures,
    utterance: &Utterance,
) -> Option<NaiveDate> {
    day_in_month(
        utterance.reference_date,
        relative_offset(captured(captures, 1)?)?,
        day_number(captured(captures, 2)?)?,
    )
}

fn month_edge(reference: NaiveDate, months_ahead: i64, edge: &str) -> Option<NaiveDate> {
    match edge {
        "底" | "末" => {
            let month = add_months(reference.with_day(1)?, months_ahead)?;
            last_day_of_month(month.year(), month.month())
        }
        "中" if months_ahead == 0 => upcoming_day_of_month(reference, 15),
        "中" => day_in_month(reference, months_ahead, 15),
        // 月初 of the current month has passed unless today is the first.
        "初" if months_ahead == 0 && reference.day() != 1 => day_in_month(reference, 1, 1),
        "初" => day_in_month(reference, months_ahead, 1),
        _ => None,
    }
}

fn resolve_chinese_month_edge(captures: &Captures, utterance: &Utterance) -> Option<NaiveDate> {
    let whole = captures.get(0)?;
    let months_ahead = match captured(captures, 1) {
        Some(relative) => relative_offset(relative)?,
        None => {
            // "三个月底" or "12月底" name another month; those have their own rule or none.
            if preceded_by_numeral(utterance, whole.start()) || whole.as_str().starts_with('个') {
                return None;
            }
            0
        }
    };
    month_edge(
        utterance.reference_date,
        months_ahead,
        captured(captures, 2)?,
    )
}

fn resolve_chinese_named_month_edge(
    captures: &Captures,
    utterance: &Utterance,
) -> Option<NaiveDate> {
    let whole = captures.get(0)?;
    if preceded_by_numeral(utterance, whole.start()) {
        return None;
    }
    let month = month_number(captured(captures, 1)?)?;
    let reference = utterance.reference_date;
    let middle = nearest_month_day(reference, month, 15)?;
    match captured(captures, 2)? {
        "底" | "末" => last_day_of_month(middle.year(), month),
        "初" => NaiveDate::from_ymd_opt(middle.year(), month, 1),
        _ => Some(middle),
    }
}

fn resolve_chinese_year_end(captures: &Captures, utterance: &Utterance) -> Option<NaiveDate> {
    let reference_year = utterance.reference_date.year();
    let year = match (captured(captures, 1), captured(captures, 2)) {
        (Some(year), _) => year.parse().ok()?,
        (None, Some("明")) => reference_year + 1,
        (None, Some("去")) => reference_year - 1,
        (None, Some(_)) => reference_year,
        (None, None) => {
            let whole = captures.get(0)?;
            if preceded_by_numeral(utterance, whole.start()) {
                return None;
            }
            reference_year
        }
    };
    NaiveDate::from_ymd_opt(year, 12, 31)
}

fn resolve_chinese_relative_weekday(
    captures: &Captures,
    utterance: &Utterance,
) -> Option<NaiveDate> {
    let weeks_ahead = relative_offset(captured(captures, 1)?)?;
    let reference = utterance.reference_date;
    match captured(captures, 2)? {
        "末" => weekday_of_week(reference, weeks_ahead, Weekday::Sat),
        day => weekday_of_week(reference, weeks_ahead, chinese_weekday(day)?),
    }
}

fn resolve_chinese_weekday(captures: &Captures, utterance: &Utterance) -> Option<NaiveDate> {
    let whole = captures.get(0)?;
    // "每周五" is every Friday; "下周五" and "一周五次" are read by other rules or not at all.
    let before = utterance.folded_char_before(whole.start());
    if before.is_some_and(|c| {
        "每下这本上个隔".contains(c) || super::numbers::CHINESE_NUMERAL_CHARS.contains(c)
    }) {
        return None;
    }
    let reference = utterance.reference_date;
    match captured(captures, 1)? {
        "末" => coming_weekend(reference),
        day => coming_weekday(reference, chinese_weekday(day)?, false),
    }
}

fn resolve_chinese_relative_day(captures: &Captures, utterance: &Utterance) -> Option<NaiveDate> {
    let offset = match captured(captures, 0)? {
        "大后天" => 3,
        "后天" => 2,
        "明天" | "明日" | "明儿" | "明早" | "明晚" => 1,
        "今天" | "今日" | "今儿" | "今晚" | "今早" => 0,
        "昨天" | "昨日" | "昨晚" => -1,
        "前天" => -2,
        "大前天" => -3,
        _ => return None,
    };
    add_days(utterance.reference_date, offset)
}

fn resolve_chinese_day_of_month(captures: &Captures, utterance: &Utterance) -> Option<NaiveDate> {
    let whole = captures.get(0)?;
    let before = utterance.folded_char_before(whole.start());
    if preceded_by_numeral(utterance, whole.start())
        || before.is_some_and(|c| "月第尾个每".contains(c))
    {
        return None;
    }
    // "3号线" is a metro line, "5号楼" a building.
    let after = utterance.folded_char_after(whole.end());
    if after.is_some_and(|c| "线楼床房门位码院室机卡字".contains(c)) {
        return None;
    }
    let day_text = captured(captures, 1)?;
    let day = day_number(day_text)?;
    // "一日" is as often "one day" as "the first"; only larger days read as dates with 日 and Chinese numerals.
    let chinese_numerals = !day_text.starts_with(|c: char| c.is_ascii_digit());
    let suffix = captured(captures, 2)?;
    if suffix == "日" && chinese_numerals && day < 2 {
        return None;
    }
    // "十日内" is "within ten days".
    if suffix == "日" && after == Some('内') {
        return None;
    }
    upcoming_day_of_month(utterance.reference_date, day)
}

fn resolve_chinese_count_later(captures: &Captures, utterance: &Utterance) -> Option<NaiveDate> {
    let whole = captures.get(0)?;
    if preceded_by_numeral(utterance, whole.start())
        || utterance.folded_char_before(whole.start()) == Some('第')
    {
        return None;
    }
    let count = i64::from(parse_count(captured(captures, 1)?, 999)?);
    let unit = captured(captures, 3)?;
    // "3月后" is "after March"; a month count needs 个.
    if unit == "月" && captures.get(2).is_none() {
        return None;
    }
    let direction = if captured(captures, 4)?.ends_with('后') {
        1
    } else {
        -1
    };
    let reference = utterance.reference_date;
    match unit {
        "天" => add_days(reference, direction * count),
        "月" => add_months(reference, direction * count),
        _ => add_days(reference, direction * count * 7),
    }
}

fn resolve_english_relative_day(captures: &Captures, utterance: &Utterance) -> Option<NaiveDate> {
    let phrase = captured(captures, 0)?;
    let offset = if phrase.contains("after") {
        2
    } else if phrase.contains("before") {
        -2
    } else {
        match phrase {
            "tomorrow" | "tmrw" | "tmr" => 1,
            "today" | "tonight" => 0,
            "yesterday" => -1,
            _ => return None,
        }
    };
    add_days(utterance.reference_date, offset)
}

fn resolve_english_relative_weekday(
    captures: &Captures,
    utterance: &Utterance,
) -> Option<NaiveDate> {
    let weekday = english_weekday(captured(captures, 2)?)?;
    let reference = utterance.reference_date;
    let modifier = captured(captures, 1)?;
    match modifier {
        "next" => weekday_of_week(reference, 1, weekday),
        "this" => coming_weekday(reference, weekday, true),
        "last" => previous_weekday(reference, weekday),
        // "coming" and "this coming".
        _ => coming_weekday(reference, weekday, false),
    }
}

fn resolve_english_weekday_of_week(
    captures: &Captures,
    utterance: &Utterance,
) -> Option<NaiveDate> {
    let (weekday, which) = match (captured(captures, 1), captured(captures, 2)) {
        (Some(weekday), Some(which)) => (weekday, which),
        _ => (captured(captures, 4)?, captured(captures, 3)?),
    };
    let weeks_ahead = if which == "next" { 1 } else { 0 };
    weekday_of_week(
        utterance.reference_date,
        weeks_ahead,
        english_weekday(weekday)?,
    )
}

fn resolve_english_weekday(captures: &Captures, utterance: &Utterance) -> Option<NaiveDate> {
    let span = captures.name("span")?;
    let previous_word: String = utterance.folded[..captures.get(0)?.start()]
        .trim_end()
        .rsplit(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or_default()
        .to_owned();
    if matches!(
        previous_word.as_str(),
        "every" | "next" | "this" | "last" | "coming" | "each"
    ) {
        return None;
    }
    let weekday = english_weekday(span.as_str())?;
    coming_weekday(utterance.reference_date, weekday, false)
}

/// Words after "the 3rd" that make it the third of something other than days of the month.
const ORDINAL_NOUNS: &[&str] = &[
    "instalment",
    "instalments",
    "installment",
    "installments",
    "payment",
    "payments",
    "time",
    "month",
    "day",
    "week",
    "year",
    "floor",
    "attempt",
    "call",
    "loan",
    "bill",
    "period",
    "term",
    "one",
    "digit",
    "person",
    "place",
];

fn resolve_english_ordinal_day(captures: &Captures, utterance: &Utterance) -> Option<NaiveDate> {
    let whole = captures.get(0)?;
    let next_word: String = utterance.folded[whole.end()..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    if ORDINAL_NOUNS.contains(&next_word.as_str()) {
        return None;
    }
    let day = day_number(captured(captures, 1)?)?;
    let reference = utterance.reference_date;
    match captured(captures, 2) {
        Some("next") => day_in_month(reference, 1, day),
        Some(_) => day_in_month(reference, 0, day),
        None => upcoming_day_of_month(reference, day),
    }
}

fn month_day_with_optional_year(
    reference: NaiveDate,
    month: u32,
    day: u32,
    year: Option<&str>,
) -> Option<NaiveDate> {
    match year {
        Some(year) => NaiveDate::from_ymd_opt(year.parse().ok()?, month, day),
        None => nearest_month_day(reference, month, day),
    }
}

fn resolve_english_month_day(captures: &Captures, utterance: &Utterance) -> Option<NaiveDate> {
    month_day_with_optional_year(
        utterance.reference_date,
        english_month(captured(captures, 1)?)?,
        day_number(captured(captures, 2)?)?,
        captured(captures, 3),
    )
}

fn resolve_english_day_month(captures: &Captures, utterance: &Utterance) -> Option<NaiveDate> {
    let month_name = captured(captures, 4)?;
    let has_ordinal_or_of = captures.get(2).is_some() || captures.get(3).is_some();
    // "5 may" and "3 mar" are too easily other words; they need "5th of May" or a year.
    if matches!(month_name, "may" | "mar") && !has_ordinal_or_of && captures.get(5).is_none() {
        return None;
    }
    month_day_with_optional_year(
        utterance.reference_date,
        english_month(month_name)?,
        day_number(captured(captures, 1)?)?,
        captured(captures, 5),
    )
}

fn resolve_english_month_edge(captures: &Captures, utterance: &Utterance) -> Option<NaiveDate> {
    let months_ahead = if captures.get(2).is_some() { 1 } else { 0 };
    let edge = match captured(captures, 1) {
        Some("end") | None => "底",
        Some("middle") => "中",
        Some(_) => "初",
    };
    month_edge(utterance.reference_date, months_ahead, edge)
}

fn resolve_english_year_end(_: &Captures, utterance: &Utterance) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(utterance.reference_date.year(), 12, 31)
}

fn resolve_english_count_later(captures: &Captures, utterance: &Utterance) -> Option<NaiveDate> {
    let (count_text, unit, direction) = match captured(captures, 1) {
        Some(count) => (count, captured(captures, 2)?, 1),
        None => {
            let direction = if captured(captures, 5)? == "ago" {
                -1
            } else {
                1
            };
            (captured(captures, 3)?, captured(captures, 4)?, direction)
        }
    };
    let count = match count_text {
        "a" | "an" => 1,
        digits if digits.starts_with(|c: char| c.is_ascii_digit()) => digits.parse().ok()?,
        words => i64::try_from(parse_english_number(words)?).ok()?,
    };
    let reference = utterance.reference_date;
    if unit.starts_with("month") {
        add_months(reference, direction * count)
    } else if unit.starts_with("week") {
        add_days(reference, direction * count * 7)
    } else {
        add_days(reference, direction * count)
    }
}

#[cfg(test)]
pub(super) fn all_patterns() -> Vec<&'static Pattern> {
    RULES.iter().map(|rule| rule.pattern).collect()
}
