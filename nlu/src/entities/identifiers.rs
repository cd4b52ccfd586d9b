//! Identifiers written as digit strings: mainland and US phone numbers, PRC resident ID numbers (checked with
//! the GB 11643 check digit), short digit answers such as card tails and verification codes, and loan ids.
//! Also the masking of ID numbers, phone numbers and card numbers in free text, for logs and stored review items.

use chrono::NaiveDate;

use super::numbers::spelled_digits;
use super::{
    Candidate, EntityKind, EntityValue, Pattern, Priority, Requires, Utterance, compile,
    is_ascii_word_char, scan, when,
};

/// Mainland mobile numbers, with an optional +86, 0086 or 86 prefix and optional separators in the 3-4-4 groups.
static MAINLAND_MOBILE: Pattern =
    Pattern::new(|| compile(r"(?:(?:\+|00)?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})"));

/// US numbers, only when written with the +1 country code.
static US_PHONE: Pattern =
    Pattern::new(|| compile(r"\+1[\s.-]?\(?([2-9]\d{2})\)?[\s.-]?([2-9]\d{2})[\s.-]?(\d{4})"));

/// 18-character resident ID numbers, optionally grouped 6-8-4 with spaces.
static ID_NUMBER: Pattern = Pattern::new(|| compile(r"(\d{6}) ?(\d{8}) ?(\d{3}[\dx])"));

/// Loan ids of the form LN followed by letters and digits.
static LOAN_ID: Pattern = Pattern::new(|| compile(r"ln-?[0-9a-z]*\d[0-9a-z]*"));

/// Loan or contract ids after a cue such as "合同号" or "loan id".
static CUED_LOAN_ID: Pattern = Pattern::new(|| {
    compile(
        r"(?:合同编号|合同号|借款编号|贷款编号|借款合同号|借据号|订单号|借款单号|loan\s+(?:id|number|no\.?|reference)|contract\s+(?:id|number|no\.?))\s*(?:码)?\s*(?:is\s+|是|为|:|#|\s)*([0-9a-z][0-9a-z-]{2,29})",
    )
});

/// Digits after a cue: card tails, ID tails and verification codes.
static CUED_DIGITS: Pattern = Pattern::new(|| {
    compile(
        r"(?:尾号|尾数|末尾|末[四4六6三3]位|后[四4六6三3五5]位|最后[四4六6三3]位|验证码|动态码|校验码|短信码|(?:last|final)\s+(?:four|4|six|6|three|3)\b|end(?:s|ing)?\s+(?:in|with)\b|(?:verification|security|sms|otp|one-time)\s+code\b|\bcode\b|\botp\b)[^0-9零〇一二三四五六七八九幺\n]{0,24}?([0-9]{3,8}x?|[零〇一二三四五六七八九幺]{3,8})",
    )
});

/// A whole answer that is only a few digits, possibly after a filler word.
static BARE_DIGITS: Pattern = Pattern::new(|| {
    compile(
        r"^\s*(?:(?:是|就是|嗯|哦|好的|号码是|it's|it is|its|it’s|yes|ok|okay)[\s,，:：]*)?(\d(?: ?\d){3,5})\s*[.。!！]?\s*$",
    )
});

/// The GB 11643 weights of the first 17 characters.
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check character for each weighted sum modulo 11.
const ID_CHECK_CHARACTERS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Whether `id` is an 18-character PRC resident ID number with a valid check character, a plausible region
/// code and a real birth date from 1900 on. Lower-case `x` is accepted.
pub fn is_valid_id_number(id: &str) -> bool {
    has_valid_id_structure(id) && birth_date_of(id).is_some()
}

fn has_valid_id_structure(id: &str) -> bool {
    let characters: Vec<char> = id.chars().collect();
    if characters.len() != 18 || !characters[..17].iter().all(char::is_ascii_digit) {
        return false;
    }
    let province = (characters[0] as u32 - '0' as u32) * 10 + (characters[1] as u32 - '0' as u32);
    if !(11..=82).contains(&province) {
        return false;
    }
    let weighted_sum: u32 = characters[..17]
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(digit, weight)| (*digit as u32 - '0' as u32) * weight)
        .sum();
    let expected = ID_CHECK_CHARACTERS[(weighted_sum % 11) as usize];
    characters[17].to_ascii_uppercase() == expected
}

fn birth_date_of(id: &str) -> Option<NaiveDate> {
    let year: i32 = id.get(6..10)?.parse().ok()?;
    let month: u32 = id.get(10..12)?.parse().ok()?;
    let day: u32 = id.get(12..14)?.parse().ok()?;
    if year < 1900 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Masks an ID number for display, keeping the first character and the last four: "1*************123X".
/// Shorter strings keep less, and a string of five characters or fewer is masked completely.
pub fn mask_id_number(id: &str) -> String {
    let characters: Vec<char> = id.chars().collect();
    let count = characters.len();
    if count <= 5 {
        return "*".repeat(count);
    }
    characters
        .iter()
        .enumerate()
        .map(|(index, c)| {
            if index == 0 || index >= count - 4 {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// Which digits of a match stay visible when masking.
#[derive(Debug, Clone, Copy)]
enum Masking {
    /// Keep the first `first` and the last `last` digits.
    KeepEnds { first: usize, last: usize },
    /// Mask the `masked` digits just before the last `last` ones and keep everything else, so a phone number
    /// keeps its country code and operator prefix whatever prefix it was written with.
    MiddleBeforeLast { masked: usize, last: usize },
}

/// Masks the personal data in free text for logs and stored review items: ID numbers keep their first character
/// and last four ("1*************123X"), runs of 13 or more digits (card numbers) only their last four, and phone
/// numbers their country code, first three and last four digits ("138****5678", "+1 415 *** 2671").
/// Separators and all other text are kept, so the result has as many characters as `text`. Full-width digits
/// are recognised too.
pub fn mask_personal_data(text: &str) -> String {
    static ANY_ID_NUMBER: Pattern = Pattern::new(|| compile(r"\d{6}[ -]?\d{8}[ -]?\d{3}[\dx]"));
    static CARD_LIKE: Pattern = Pattern::new(|| compile(r"\d(?:[ -]?\d){12,}"));
    let mut characters: Vec<char> = text.chars().collect();
    let mut folded_characters: Vec<char> = crate::normalize::fold_width_and_case(text)
        .chars()
        .collect();
    let passes: [(&Pattern, Masking); 4] = [
        (&ANY_ID_NUMBER, Masking::KeepEnds { first: 1, last: 4 }),
        (&CARD_LIKE, Masking::KeepEnds { first: 0, last: 4 }),
        (
            &MAINLAND_MOBILE,
            Masking::MiddleBeforeLast { masked: 4, last: 4 },
        ),
        (&US_PHONE, Masking::MiddleBeforeLast { masked: 3, last: 4 }),
    ];
    for (pattern, masking) in passes {
        let current: String = folded_characters.iter().collect();
        let mut spans = Vec::new();
        scan(pattern, &current, |captures| {
            let Some(whole) = captures.get(0) else {
                return false;
            };
            let before = current[..whole.start()].chars().next_back();
            let after = current[whole.end()..].chars().next();
            // A digit on either side means a longer number; a plus sign before means a phone's country code.
            if before.is_some_and(|c| c.is_ascii_digit() || c == '+')
                || after.is_some_and(|c| c.is_ascii_digit())
            {
                return false;
            }
            let start = current[..whole.start()].chars().count();
            let length = whole.as_str().chars().count();
            spans.push(start..start + length);
            true
        });
        for span in spans {
            mask_span(&mut characters, &mut folded_characters, span, masking);
        }
    }
    characters.into_iter().collect()
}

/// Replaces the digits (and a trailing X) of a span with `*` as `masking` says.
fn mask_span(
    characters: &mut [char],
    folded_characters: &mut [char],
    span: std::ops::Range<usize>,
    masking: Masking,
) {
    let maskable: Vec<usize> = span
        .filter(|&index| {
            folded_characters[index].is_ascii_digit() || folded_characters[index] == 'x'
        })
        .collect();
    let count = maskable.len();
    let (keep_first, keep_last) = match masking {
        Masking::KeepEnds { first, last } => (first, last),
        Masking::MiddleBeforeLast { masked, last } => (count.saturating_sub(masked + last), last),
    };
    if count <= keep_first + keep_last {
        return;
    }
    for (position, index) in maskable.into_iter().enumerate() {
        if position >= keep_first && position + keep_last < count {
            characters[index] = '*';
            folded_characters[index] = '*';
        }
    }
}

/// Whether the characters around a byte range of the folded text leave it a whole number, not part of a longer
/// digit or letter run.
fn stands_alone(utterance: &Utterance, start: usize, end: usize) -> bool {
    !is_ascii_word_char(utterance.folded_char_before(start))
        && !is_ascii_word_char(utterance.folded_char_after(end))
}

pub(super) fn find_phones(utterance: &Utterance, candidates: &mut Vec<Candidate>) {
    let text = utterance.folded.as_str();
    scan(
        when(utterance, Requires::Digits, &MAINLAND_MOBILE),
        text,
        |captures| {
            // A mainland number right after a `+` belongs to a longer international number.
            let after_plus = captures
                .get(0)
                .is_some_and(|whole| utterance.folded_char_before(whole.start()) == Some('+'));
            !after_plus && push_phone(utterance, captures, "+86", candidates)
        },
    );
    scan(
        when(utterance, Requires::Digits, &US_PHONE),
        text,
        |captures| push_phone(utterance, captures, "+1", candidates),
    );
}

/// Adds the phone of a match whose groups 1 to 3 hold the national number, as E.164 with `country_code`.
fn push_phone(
    utterance: &Utterance,
    captures: &regex::Captures<'_>,
    country_code: &str,
    candidates: &mut Vec<Candidate>,
) -> bool {
    let Some(whole) = captures.get(0) else {
        return false;
    };
    if !stands_alone(utterance, whole.start(), whole.end()) {
        return false;
    }
    let national: String = (1..=3)
        .filter_map(|group| captures.get(group).map(|m| m.as_str()))
        .collect();
    candidates.push(utterance.candidate(
        EntityKind::Phone,
        whole.range(),
        EntityValue::Text(format!("{country_code}{national}")),
        Priority::Phone,
    ));
    true
}

pub(super) fn find_id_numbers(utterance: &Utterance, candidates: &mut Vec<Candidate>) {
    scan(
        when(utterance, Requires::Digits, &ID_NUMBER),
        &utterance.folded,
        |captures| {
            let Some(whole) = captures.get(0) else {
                return false;
            };
            if !stands_alone(utterance, whole.start(), whole.end()) {
                return false;
            }
            let id: String = (1..=3)
                .filter_map(|group| captures.get(group).map(|m| m.as_str()))
                .collect::<String>()
                .to_ascii_uppercase();
            let born_by_reference =
                birth_date_of(&id).is_some_and(|birth| birth <= utterance.reference_date);
            if !has_valid_id_structure(&id) || !born_by_reference {
                return false;
            }
            candidates.push(utterance.candidate(
                EntityKind::IdNumber,
                whole.range(),
                EntityValue::Text(id),
                Priority::IdNumber,
            ));
            true
        },
    );
}

pub(super) fn find_loan_ids(utterance: &Utterance, candidates: &mut Vec<Candidate>) {
    scan(
        when(utterance, Requires::Digits, &LOAN_ID),
        &utterance.folded,
        |captures| {
            let Some(whole) = captures.get(0) else {
                return false;
            };
            if !stands_alone(utterance, whole.start(), whole.end()) {
                return false;
            }
            candidates.push(utterance.candidate(
                EntityKind::LoanId,
                whole.range(),
                EntityValue::Text(whole.as_str().to_ascii_uppercase()),
                Priority::LoanId,
            ));
            true
        },
    );
    scan(&CUED_LOAN_ID, &utterance.folded, |captures| {
        let Some(id) = captures.get(1) else {
            return false;
        };
        let trimmed = id.as_str().trim_end_matches('-');
        let end = id.start() + trimmed.len();
        let has_digit = trimmed.bytes().any(|b| b.is_ascii_digit());
        if !has_digit || trimmed.len() < 3 || is_ascii_word_char(utterance.folded_char_after(end)) {
            return false;
        }
        candidates.push(utterance.candidate(
            EntityKind::LoanId,
            id.start()..end,
            EntityValue::Text(trimmed.to_ascii_uppercase()),
            Priority::CuedLoanId,
        ));
        true
    });
}

pub(super) fn find_digits(utterance: &Utterance, candidates: &mut Vec<Candidate>) {
    scan(&CUED_DIGITS, &utterance.folded, |captures| {
        let Some(digits) = captures.get(1) else {
            return false;
        };
        let ends_in_x = digits.as_str().ends_with('x');
        // A trailing x belongs to an ID tail only when it ends the word ("123x", not "1234xyz").
        let (end, raw) =
            if ends_in_x && is_ascii_word_char(utterance.folded_char_after(digits.end())) {
                (digits.end() - 1, &digits.as_str()[..digits.len() - 1])
            } else {
                (digits.end(), digits.as_str())
            };
        let before = utterance.folded_char_before(digits.start());
        if before.is_some_and(|c| c.is_ascii_digit())
            || is_ascii_word_char(utterance.folded_char_after(end))
        {
            return false;
        }
        let Some(value) = spelled_digits(raw.trim_end_matches('x')) else {
            return false;
        };
        let value = if raw.ends_with('x') {
            format!("{value}X")
        } else {
            value
        };
        candidates.push(utterance.candidate(
            EntityKind::Digits,
            digits.start()..end,
            EntityValue::Text(value),
            Priority::CuedDigits,
        ));
        true
    });
    scan(
        when(utterance, Requires::Digits, &BARE_DIGITS),
        &utterance.folded,
        |captures| {
            let Some(digits) = captures.get(1) else {
                return false;
            };
            let value: String = digits
                .as_str()
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            candidates.push(utterance.candidate(
                EntityKind::Digits,
                digits.range(),
                EntityValue::Text(value),
                Priority::BareDigits,
            ));
            true
        },
    );
}

#[cfg(test)]
pub(super) fn all_patterns() -> Vec<&'static Pattern> {
    vec![
        &MAINLAND_MOBILE,
        &US_PHONE,
        &ID_NUMBER,
        &LOAN_ID,
        &CUED_LOAN_ID,
        &CUED_DIGITS,
        &BARE_DIGITS,
    ]
}
