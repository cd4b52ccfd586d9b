//! The conversation language follows the scripts the customer writes in: any Han character makes it Chinese,
//! Latin letters without Han make it English, and anything else (digits, emoji, punctuation) leaves it as it was.

use nlu::Lang;

/// The language `text` clearly asks for, or `None` when it has neither Han characters nor Latin letters.
pub fn language_of_script(text: &str) -> Option<Lang> {
    if text.chars().any(is_han) {
        Some(Lang::Zh)
    } else if text.chars().any(is_latin_letter) {
        Some(Lang::En)
    } else {
        None
    }
}

/// Whether `character` is a CJK ideograph (the unified blocks, their extensions and the compatibility block).
fn is_han(character: char) -> bool {
    matches!(
        character,
        '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{20000}'..='\u{2FA1F}'
            | '\u{30000}'..='\u{3134F}'
    )
}

/// Whether `character` is a Latin letter, including accented letters and the full-width forms Chinese keyboards
/// produce.
fn is_latin_letter(character: char) -> bool {
    character.is_ascii_alphabetic()
        || matches!(character, '\u{00C0}'..='\u{024F}' if character.is_alphabetic())
        || matches!(character, '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn han_characters_mean_chinese_even_mixed_with_latin() {
        assert_eq!(language_of_script("本期应还多少"), Some(Lang::Zh));
        assert_eq!(language_of_script("我的APP登录不了"), Some(Lang::Zh));
    }

    #[test]
    fn latin_letters_without_han_mean_english() {
        assert_eq!(language_of_script("How much do I owe?"), Some(Lang::En));
        assert_eq!(language_of_script("ｏｋ"), Some(Lang::En));
        assert_eq!(language_of_script("Café"), Some(Lang::En));
    }

    #[test]
    fn other_text_keeps_the_language() {
        assert_eq!(language_of_script("1234"), None);
        assert_eq!(language_of_script("？？？ 👍"), None);
        assert_eq!(language_of_script(""), None);
    }
}
