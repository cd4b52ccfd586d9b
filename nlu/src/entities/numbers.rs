//! Reading numbers as customers write them: Arabic digits with thousands separators and decimals, Chinese
//! numerals with the colloquial shorthand of spoken amounts (三千五 is 3500, 一万二 is 12000), mixtures of the
//! two (1.2万, 2万5), spelled-out digit strings (一二三四) and English number words (three, twenty-one,
//! five hundred).

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// The characters a Chinese numeral is made of, for use inside regex character classes.
pub(super) const CHINESE_NUMERAL_CHARS: &str = "零〇一二两三四五六七八九十百千万亿";

/// One piece of a numeral.
#[derive(Debug, Clone, Copy, PartialEq)]
enum NumeralPiece {
    /// A number: a Chinese digit or an Arabic number, and whether it is a single digit from 1 to 9.
    Value { value: Decimal, single_digit: bool },
    /// 零 or 〇 between units ("一百零五").
    Zero,
    /// 十, 百, 千, 万 or 亿.
    Unit(u64),
}

fn chinese_digit_value(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn chinese_unit_value(c: char) -> Option<u64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1_000,
        '万' => 10_000,
        '亿' => 100_000_000,
        _ => return None,
    })
}

/// Reads an Arabic number with optional thousands separators ("3,500") and decimals ("1.5").
pub(super) fn parse_arabic(text: &str) -> Option<Decimal> {
    let (integer_part, fraction_part) = match text.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (text, None),
    };
    let mut groups = integer_part.split(',');
    let first_group = groups.next()?;
    let grouped = integer_part.contains(',');
    let first_group_valid = !first_group.is_empty()
        && first_group.bytes().all(|b| b.is_ascii_digit())
        && (!grouped || first_group.len() <= 3);
    if !first_group_valid {
        return None;
    }
    let mut digits = first_group.to_owned();
    for group in groups {
        if group.len() != 3 || !group.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.push_str(group);
    }
    if let Some(fraction) = fraction_part {
        if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.push('.');
        digits.push_str(fraction);
    }
    digits.parse().ok()
}

/// Cuts a numeral into pieces, or `None` when it holds anything else.
fn numeral_pieces(text: &str) -> Option<Vec<NumeralPiece>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            let arabic_length = rest
                .char_indices()
                .find(|&(_, ch)| !(ch.is_ascii_digit() || ch == ',' || ch == '.'))
                .map_or(rest.len(), |(index, _)| index);
            let arabic = rest[..arabic_length].trim_end_matches([',', '.']);
            let value = parse_arabic(arabic)?;
            let single_digit = arabic.len() == 1 && arabic != "0";
            pieces.push(NumeralPiece::Value {
                value,
                single_digit,
            });
            rest = &rest[arabic.len()..];
            continue;
        }
        if let Some(digit) = chinese_digit_value(c) {
            pieces.push(if digit == 0 {
                NumeralPiece::Zero
            } else {
                NumeralPiece::Value {
                    value: Decimal::from(digit),
                    single_digit: true,
                }
            });
        } else if let Some(unit) = chinese_unit_value(c) {
            pieces.push(NumeralPiece::Unit(unit));
        } else {
            return None;
        }
        rest = &rest[c.len_utf8()..];
    }
    Some(pieces)
}

/// Reads a number written in Arabic digits, Chinese numerals or a mixture: "3500", "3,500", "1.5", "三千五"
/// (3500), "三千五百", "一万二" (12000), "两千", "十五", "一百零五", "1.2万" (12000), "2万5" (25000),
/// "二〇二六" (2026, read digit by digit). Returns `None` for anything that is not one well-formed number,
/// such as "千万" (a word meaning "by all means"), "两三" (a range) or "万".
pub fn parse_number(text: &str) -> Option<Decimal> {
    let pieces = numeral_pieces(text)?;
    if pieces.is_empty() {
        return None;
    }
    if !pieces
        .iter()
        .any(|piece| matches!(piece, NumeralPiece::Unit(_)))
    {
        return parse_digit_sequence(text, &pieces);
    }
    let mut completed_groups = Decimal::ZERO;
    let mut section = Decimal::ZERO;
    let mut pending: Option<(Decimal, bool)> = None;
    let mut last_unit: Option<u64> = None;
    let mut smallest_unit_in_section: Option<u64> = None;
    let mut last_group_unit: Option<u64> = None;
    let mut zero_since_unit = false;
    for piece in pieces {
        match piece {
            NumeralPiece::Value {
                value,
                single_digit,
            } => {
                if pending.is_some() {
                    return None;
                }
                pending = Some((value, single_digit));
            }
            NumeralPiece::Zero => {
                if pending.is_some() {
                    return None;
                }
                zero_since_unit = true;
            }
            NumeralPiece::Unit(unit) if unit < 10_000 => {
                if smallest_unit_in_section.is_some_and(|smallest| unit >= smallest) {
                    return None;
                }
                let multiplier = match pending.take() {
                    Some((value, _)) => value,
                    // "十五" and "一百零十" say ten without a leading one.
                    None if unit == 10 && (section.is_zero() || zero_since_unit) => Decimal::ONE,
                    None => return None,
                };
                section = section.checked_add(multiplier.checked_mul(Decimal::from(unit))?)?;
                smallest_unit_in_section = Some(unit);
                last_unit = Some(unit);
                zero_since_unit = false;
            }
            NumeralPiece::Unit(unit) => {
                if last_group_unit.is_some_and(|previous| unit >= previous) {
                    return None;
                }
                let group = section
                    .checked_add(pending.take().map_or(Decimal::ZERO, |(value, _)| value))?;
                if group.is_zero() {
                    return None;
                }
                completed_groups = if unit == 10_000 {
                    completed_groups.checked_add(group.checked_mul(Decimal::from(unit))?)?
                } else {
                    completed_groups
                        .checked_add(group)?
                        .checked_mul(Decimal::from(unit))?
                };
                section = Decimal::ZERO;
                smallest_unit_in_section = None;
                last_group_unit = Some(unit);
                last_unit = Some(unit);
                zero_since_unit = false;
            }
        }
    }
    let tail = match (pending, last_unit) {
        // Spoken shorthand: a lone digit after 百, 千, 万 or 亿 counts in the next lower unit (三千五 = 3500).
        (Some((value, true)), Some(unit)) if unit >= 100 && !zero_since_unit => {
            value.checked_mul(Decimal::from(unit / 10))?
        }
        (Some((value, _)), _) => value,
        (None, _) => Decimal::ZERO,
    };
    completed_groups.checked_add(section)?.checked_add(tail)
}

/// A numeral without units: one number, or three or more Chinese digits read one by one ("二〇二六").
fn parse_digit_sequence(text: &str, pieces: &[NumeralPiece]) -> Option<Decimal> {
    if let [NumeralPiece::Value { value, .. }] = pieces {
        return Some(*value);
    }
    if let [NumeralPiece::Zero] = pieces {
        return Some(Decimal::ZERO);
    }
    // Two Chinese digits in a row ("两三", "三四") are a range, not a number.
    let all_spelled_digits = text
        .chars()
        .all(|c| chinese_digit_value(c).is_some() && c != '两');
    if all_spelled_digits && text.chars().count() >= 3 {
        return spelled_digits(text)?.parse().ok();
    }
    None
}

/// Turns a string of digits written as Arabic or Chinese digit characters (including 幺 for one, as in phone
/// numbers) into Arabic digits: "一二三四" gives "1234". Returns `None` when any other character appears.
pub fn spelled_digits(text: &str) -> Option<String> {
    text.chars()
        .map(|c| match c {
            '0'..='9' => Some(c),
            '幺' => Some('1'),
            '两' => None,
            _ => chinese_digit_value(c).and_then(|digit| char::from_digit(digit, 10)),
        })
        .collect()
}

/// Reads a small count for dates and durations ("15", "十五", "两"), requiring a whole number up to `maximum`.
pub fn parse_count(text: &str, maximum: u32) -> Option<u32> {
    let value = parse_number(text)?;
    if !value.fract().is_zero() {
        return None;
    }
    let count = value.to_u32()?;
    (count <= maximum).then_some(count)
}

/// English number words for 0 to 19.
const ENGLISH_ONES: [&str; 20] = [
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

/// English number words for the tens from twenty.
const ENGLISH_TENS: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// A regex alternation of the English number words, longest first so that "seventeen" wins over "seven".
pub(super) fn english_number_word_pattern() -> String {
    let mut words: Vec<&str> = ENGLISH_ONES
        .iter()
        .chain(ENGLISH_TENS.iter())
        .copied()
        .chain(["hundred", "thousand", "million"])
        .collect();
    words.sort_by_key(|word| std::cmp::Reverse(word.len()));
    words.join("|")
}

/// Reads lower-case English number words: "three", "twenty-one", "a hundred", "five thousand five hundred",
/// "one hundred and twenty". Returns `None` when a word is not a number word or the words do not form a number.
pub fn parse_english_number(text: &str) -> Option<u64> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|word| !word.is_empty())
        .collect();
    if words.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    let mut current: u64 = 0;
    let mut saw_number = false;
    for (index, word) in words.iter().enumerate() {
        let next_is_scale = words
            .get(index + 1)
            .is_some_and(|next| matches!(*next, "hundred" | "thousand" | "million"));
        if let Some(value) = ENGLISH_ONES.iter().position(|ones| ones == word) {
            current = current.checked_add(value as u64)?;
            saw_number = true;
        } else if let Some(position) = ENGLISH_TENS.iter().position(|tens| tens == word) {
            current = current.checked_add((position as u64 + 2) * 10)?;
            saw_number = true;
        } else if matches!(*word, "a" | "an") && next_is_scale && index == 0 {
            current = 1;
        } else if *word == "hundred" {
            current = current.max(1).checked_mul(100)?;
            saw_number = true;
        } else if *word == "thousand" || *word == "million" {
            let scale = if *word == "thousand" {
                1_000
            } else {
                1_000_000
            };
            total = total.checked_add(current.max(1).checked_mul(scale)?)?;
            current = 0;
            saw_number = true;
        } else if *word == "and" && index > 0 && index + 1 < words.len() {
            continue;
        } else {
            return None;
        }
    }
    if !saw_number {
        return None;
    }
    total.checked_add(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> Option<String> {
        parse_number(text).map(|value| value.normalize().to_string())
    }

    #[test]
    fn chinese_numerals_read_as_spoken() {
        let cases = [
            ("三千五", "3500"),
            ("三千五百", "3500"),
            ("一万二", "12000"),
            ("一万二千", "12000"),
            ("两千", "2000"),
            ("五百", "500"),
            ("十五", "15"),
            ("二十三", "23"),
            ("三十一", "31"),
            ("一百零五", "105"),
            ("一千零十", "1010"),
            ("一万零五百", "10500"),
            ("十万", "100000"),
            ("十二万", "120000"),
            ("两万五", "25000"),
            ("三百五", "350"),
            ("一亿两千万", "120000000"),
            ("二〇二六", "2026"),
            ("五", "5"),
        ];
        for (text, expected) in cases {
            assert_eq!(number(text).as_deref(), Some(expected), "{text}");
        }
    }

    #[test]
    fn arabic_and_mixed_numbers() {
        let cases = [
            ("3500", "3500"),
            ("3,500", "3500"),
            ("1,234,567.5", "1234567.5"),
            ("1.5", "1.5"),
            ("1.2万", "12000"),
            ("2万5", "25000"),
            ("3千5", "3500"),
            ("1万2000", "12000"),
            ("1.5千", "1500"),
        ];
        for (text, expected) in cases {
            assert_eq!(number(text).as_deref(), Some(expected), "{text}");
        }
    }

    #[test]
    fn malformed_numerals_are_rejected() {
        for text in [
            "千万",
            "万",
            "两三",
            "三四",
            "百分",
            "五五",
            "3,50",
            "12,3456",
            "一万万",
            "五百三千",
            "",
        ] {
            assert_eq!(number(text), None, "{text}");
        }
    }

    #[test]
    fn numbers_too_large_for_a_decimal_are_refused_without_panicking() {
        assert_eq!(number("9999999999999999999999999999万"), None);
        assert_eq!(number("99999999999999999999999999999"), None);
        // 万亿 (a trillion) is beyond any amount a lender discusses and is not read.
        assert_eq!(number("九千九百九十九万亿"), None);
    }

    #[test]
    fn spelled_digit_strings() {
        assert_eq!(spelled_digits("一二三四").as_deref(), Some("1234"));
        assert_eq!(spelled_digits("幺三八零").as_deref(), Some("1380"));
        assert_eq!(spelled_digits("12三4").as_deref(), Some("1234"));
        assert_eq!(spelled_digits("一十"), None);
    }

    #[test]
    fn counts_are_whole_and_bounded() {
        assert_eq!(parse_count("十五", 31), Some(15));
        assert_eq!(parse_count("两", 31), Some(2));
        assert_eq!(parse_count("32", 31), None);
        assert_eq!(parse_count("1.5", 31), None);
    }

    #[test]
    fn english_number_words() {
        let cases = [
            ("three", 3),
            ("twenty-one", 21),
            ("twenty one", 21),
            ("a hundred", 100),
            ("five hundred", 500),
            ("one hundred and twenty", 120),
            ("three thousand five hundred", 3500),
            ("two million", 2_000_000),
            ("fifteen", 15),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_english_number(text), Some(expected), "{text}");
        }
        for text in [
            "",
            "a",
            "and",
            "three apples",
            "and three",
            "hundred hundred hundred hundred hundred hundred hundred hundred hundred hundred",
        ] {
            assert_eq!(parse_english_number(text), None, "{text}");
        }
    }
}
