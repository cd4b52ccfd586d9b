//! Text normalisation before classification and entity recognition.
//!
//! Customers type on phone keyboards that switch between half-width and full-width forms, mix upper and lower
//! case, and paste text with odd spaces. [`normalize`] turns all of that into one canonical form for the intent
//! classifier: full-width ASCII becomes ASCII, the ideographic space and other Unicode spaces become a plain
//! space, Latin letters are lower-cased, invisible format characters are dropped, whitespace runs collapse to
//! one space and the ends are trimmed. Because that changes the length of the text, [`Normalized`] also records
//! where each of its characters came from.
//!
//! The entity recognisers need offsets into the original text, so they use [`fold_width_and_case`] instead, which
//! maps every character to exactly one character and therefore keeps every offset valid. Chinese numerals are
//! left alone here; the entity recognisers read them. [`for_classifier`] adds the spelling correction of
//! [`crate::correct`] on top, for the intent and sentiment models.

/// Normalised text for the classifier, with the origin of each character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    /// For each character of `text`, the index (in Unicode scalar values) of the character of the original text
    /// it was made from. A space that replaced a run of whitespace points at the first character of the run.
    pub original_char_offsets: Vec<usize>,
}

impl Normalized {
    /// The offset in the original text of the character at `normalized_char_index`, or `None` past the end.
    pub fn original_offset(&self, normalized_char_index: usize) -> Option<usize> {
        self.original_char_offsets
            .get(normalized_char_index)
            .copied()
    }
}

/// Normalises `text` for classification: width and case folding, one space between words, no leading or
/// trailing space.
pub fn normalize(text: &str) -> Normalized {
    let mut normalized_text = String::with_capacity(text.len());
    let mut original_char_offsets = Vec::with_capacity(text.len());
    let mut pending_space_origin: Option<usize> = None;
    for (original_index, original_char) in text.chars().enumerate() {
        if is_invisible_format_char(original_char) {
            continue;
        }
        let folded = fold_char(original_char);
        if folded.is_whitespace() {
            pending_space_origin.get_or_insert(original_index);
            continue;
        }
        if let Some(space_origin) = pending_space_origin.take()
            && !normalized_text.is_empty()
        {
            normalized_text.push(' ');
            original_char_offsets.push(space_origin);
        }
        normalized_text.push(folded);
        original_char_offsets.push(original_index);
    }
    Normalized {
        text: normalized_text,
        original_char_offsets,
    }
}

/// The classifier's view of `text` at prediction: [`normalize`], then the conservative spelling correction of
/// [`crate::correct`] (Traditional to Simplified, domain slips, pinyin initials). Correction replaces characters
/// one for one, so the offsets still point into the original text. Training reads [`normalize`] only, typos and
/// all, so that the model knows both forms.
pub fn for_classifier(text: &str) -> Normalized {
    let mut normalized = normalize(text);
    let corrected = crate::correct::correct(&normalized.text);
    if !corrected.edits.is_empty() {
        normalized.text = corrected.text;
    }
    normalized
}

/// Folds one character: full-width ASCII to ASCII, the full-width yen sign to `¥`, Unicode spaces to a plain
/// space, and upper-case letters to lower case when the lower-case form is a single character. Every character
/// maps to exactly one character.
pub fn fold_char(c: char) -> char {
    let half_width = fold_width(c);
    if half_width.is_ascii() {
        return half_width.to_ascii_lowercase();
    }
    if half_width.is_uppercase() {
        let mut lower = half_width.to_lowercase();
        if let (Some(single), None) = (lower.next(), lower.next()) {
            return single;
        }
    }
    half_width
}

/// Folds only the width of one character, keeping its case: full-width ASCII to ASCII, `￥` to `¥`, and Unicode
/// spaces to a plain space.
pub fn fold_width(c: char) -> char {
    match c {
        // The full-width block U+FF01..=U+FF5E mirrors printable ASCII at a fixed distance.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{FFE5}' => '¥',
        '\u{FFE0}' => '¢',
        '\u{FFE1}' => '£',
        '\u{3000}' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' => ' ',
        '\t' | '\n' | '\r' | '\u{000B}' | '\u{000C}' => ' ',
        _ => c,
    }
}

/// Applies [`fold_char`] to every character. The result has exactly as many characters as `text`, so character
/// offsets found in it are offsets into `text` too.
pub fn fold_width_and_case(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

/// Applies [`fold_width`] to every character, keeping case; the character count is unchanged.
pub fn fold_width_only(text: &str) -> String {
    text.chars().map(fold_width).collect()
}

/// Zero-width and byte-order characters that carry no meaning for classification.
fn is_invisible_format_char(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_ascii_becomes_lower_case_ascii() {
        assert_eq!(normalize("ＡＢＣ１２３，").text, "abc123,");
        assert_eq!(normalize("我要还款！！").text, "我要还款!!");
        assert_eq!(normalize("ＬＮ２０２６").text, "ln2026");
    }

    #[test]
    fn spaces_collapse_and_ends_are_trimmed() {
        assert_eq!(normalize("  Hello \t\n  World  ").text, "hello world");
        assert_eq!(normalize("我\u{3000}\u{3000}想还款").text, "我 想还款");
        assert_eq!(normalize("\u{3000}").text, "");
        assert_eq!(normalize("").text, "");
    }

    #[test]
    fn invisible_characters_are_dropped() {
        assert_eq!(normalize("\u{FEFF}还\u{200B}款").text, "还款");
    }

    #[test]
    fn chinese_text_and_numerals_are_kept() {
        assert_eq!(
            normalize("三千五百元，下周五还").text,
            "三千五百元,下周五还"
        );
    }

    #[test]
    fn normalized_characters_point_back_to_the_original() {
        let original = " Ａb  c，";
        let normalized = normalize(original);
        assert_eq!(normalized.text, "ab c,");
        assert_eq!(normalized.original_char_offsets, vec![1, 2, 3, 5, 6]);
        assert_eq!(normalized.original_offset(4), Some(6));
        assert_eq!(normalized.original_offset(5), None);
    }

    #[test]
    fn folding_keeps_the_character_count() {
        for text in [
            "ＡＢＣ１２３，",
            "İstanbul ß Ω",
            "￥８００元",
            "a\u{3000}b",
            "LN２０２６ＡＢ",
        ] {
            assert_eq!(
                fold_width_and_case(text).chars().count(),
                text.chars().count(),
                "{text}"
            );
            assert_eq!(
                fold_width_only(text).chars().count(),
                text.chars().count(),
                "{text}"
            );
        }
        assert_eq!(fold_width_and_case("￥８００"), "¥800");
        assert_eq!(fold_width_and_case("ΩÄ"), "ωä");
        assert_eq!(fold_width_only("Ｍａｒｙ"), "Mary");
    }

    #[test]
    fn fold_char_handles_single_characters() {
        assert_eq!(fold_char('Ｚ'), 'z');
        assert_eq!(fold_char('！'), '!');
        assert_eq!(fold_char('\u{3000}'), ' ');
        assert_eq!(fold_char('钱'), '钱');
        // The lower case of U+0130 is two characters, so it is kept as it is.
        assert_eq!(fold_char('İ'), 'İ');
    }
}
