//! Language detection between Chinese and English, from the scripts an utterance is written in.

use serde::{Deserialize, Serialize};

/// A language Anxin converses in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Reads `zh`, `en` and their common variants (`zh-CN`, `en-US`, ...).
    pub fn from_code(code: &str) -> Option<Lang> {
        let lower = code.trim().to_ascii_lowercase();
        if lower.starts_with("zh") || lower == "cmn" {
            Some(Lang::Zh)
        } else if lower.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// How many characters of each script a text holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ScriptCounts {
    han_chars: usize,
    latin_letters: usize,
    latin_words: usize,
}

impl ScriptCounts {
    fn of(text: &str) -> Self {
        let mut counts = ScriptCounts::default();
        let mut inside_latin_word = false;
        for c in text.chars() {
            if is_han(c) {
                counts.han_chars += 1;
                inside_latin_word = false;
            } else if is_latin_letter(c) {
                counts.latin_letters += 1;
                if !inside_latin_word {
                    counts.latin_words += 1;
                }
                inside_latin_word = true;
            } else if !(c == '\'' || c == '’' || c == '-') {
                // An apostrophe or a hyphen continues a word ("don't", "e-mail"); anything else ends it.
                inside_latin_word = false;
            }
        }
        counts
    }
}

/// Detects the language of `text`: Chinese when it holds Chinese characters in meaningful proportion, English
/// for Latin-script text. Text with letters of neither script (digits, punctuation, emoji) is guessed to be
/// Chinese, the platform's first language; callers that can keep a conversation's language should use
/// [`detect_clear`] instead.
pub fn detect(text: &str) -> Lang {
    detect_clear(text).unwrap_or(Lang::Zh)
}

/// Detects the language of `text`, or `None` when it holds no letters of either script, for example "1234",
/// "？？" or an emoji.
///
/// Two or more Chinese characters make a text Chinese even among English words, since customers writing English
/// rarely type them by accident. A single Chinese character makes it Chinese only when the Latin part is a short
/// code such as "ok", "app" or "ICBC" (one word of at most four letters); otherwise the English words dominate.
pub fn detect_clear(text: &str) -> Option<Lang> {
    let counts = ScriptCounts::of(text);
    match (counts.han_chars, counts.latin_letters) {
        (0, 0) => None,
        (0, _) => Some(Lang::En),
        (_, 0) => Some(Lang::Zh),
        (han_chars, _) if han_chars >= 2 => Some(Lang::Zh),
        _ if counts.latin_words <= 1 && counts.latin_letters <= 4 => Some(Lang::Zh),
        _ => Some(Lang::En),
    }
}

/// Chinese characters: the CJK unified ideographs, their extensions and the compatibility ideographs.
fn is_han(c: char) -> bool {
    matches!(
        c,
        '\u{4E00}'..='\u{9FFF}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{3007}'
            | '\u{20000}'..='\u{3134F}'
    )
}

/// Latin letters, in ASCII, full width or with diacritics.
fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}')
        || (matches!(c, '\u{00C0}'..='\u{024F}') && c.is_alphabetic() && c != '×' && c != '÷')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_is_chinese() {
        for text in ["我想还款", "下周五还三千五", "你好！", "嗯", "〇"] {
            assert_eq!(detect_clear(text), Some(Lang::Zh), "{text}");
        }
    }

    #[test]
    fn english_text_is_english() {
        for text in [
            "I want to repay",
            "next Friday",
            "ok",
            "ＨＥＬＬＯ",
            "Café crème",
            "don't call me again!",
        ] {
            assert_eq!(detect_clear(text), Some(Lang::En), "{text}");
        }
    }

    #[test]
    fn mixed_text_follows_the_rules() {
        // Two Chinese characters are enough.
        assert_eq!(detect("I called 工行 yesterday about my payment"), Lang::Zh);
        assert_eq!(detect("app怎么登录"), Lang::Zh);
        // One Chinese character with a short code stays Chinese.
        assert_eq!(detect("ok吧"), Lang::Zh);
        assert_eq!(detect("hk卡"), Lang::Zh);
        assert_eq!(detect("ICBC的"), Lang::Zh);
        // One Chinese character among English words is English.
        assert_eq!(detect("my 卡 was blocked yesterday"), Lang::En);
        assert_eq!(detect("please call me 谢"), Lang::En);
    }

    #[test]
    fn text_without_letters_has_no_clear_language() {
        for text in [
            "1234",
            "？？",
            "😀👍",
            "",
            "   ",
            "13812345678",
            "¥800",
            "。。。",
        ] {
            assert_eq!(detect_clear(text), None, "{text}");
            assert_eq!(detect(text), Lang::Zh, "{text}");
        }
    }

    #[test]
    fn codes_read_both_ways() {
        assert_eq!(Lang::from_code("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_code(" EN-us "), Some(Lang::En));
        assert_eq!(Lang::from_code("fr"), None);
        assert_eq!(Lang::Zh.as_str(), "zh");
        assert_eq!(Lang::En.as_str(), "en");
    }
}
