//! The Whisper vocabulary as whisper.cpp stores it: the byte strings of the ordinary byte-level BPE tokens, in token
//! id order, taken from a Hugging Face `tokenizer.json`.
//!
//! Byte-level BPE (GPT-2's scheme, which Whisper reuses) spells every byte as a printable character so that merges can
//! work on text: the printable bytes `!`..`~`, `¡`..`¬` and `®`..`ÿ` stand for themselves and the other 68 bytes are
//! shifted to U+0100 onwards in byte order (so a space is `Ġ` and a newline `Ċ`). whisper.cpp wants the raw bytes
//! back. Only the ids below `<|endoftext|>` are written; whisper.cpp names the special tokens after them itself.

use serde_json::Value;

use super::WhisperImportError;

/// The text of the token that ends a transcript and follows the last ordinary BPE token.
pub const END_OF_TEXT_TOKEN: &str = "<|endoftext|>";

/// Whether a byte stands for itself in byte-level BPE text.
fn byte_is_printable(byte: u8) -> bool {
    matches!(byte, b'!'..=b'~' | 0xa1..=0xac | 0xae..=0xff)
}

/// The character byte-level BPE uses to spell `byte`.
pub fn byte_level_character(byte: u8) -> char {
    if byte_is_printable(byte) {
        return char::from(byte);
    }
    let position_among_shifted = (0..byte)
        .filter(|&earlier| !byte_is_printable(earlier))
        .count() as u32;
    char::from_u32(0x100 + position_among_shifted).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// The byte a byte-level BPE character stands for, or `None` for a character outside that alphabet.
pub fn byte_from_level_character(character: char) -> Option<u8> {
    let code_point = u32::from(character);
    if let Ok(byte) = u8::try_from(code_point) {
        return byte_is_printable(byte).then_some(byte);
    }
    let position_among_shifted = usize::try_from(code_point.checked_sub(0x100)?).ok()?;
    (0..=u8::MAX)
        .filter(|&byte| !byte_is_printable(byte))
        .nth(position_among_shifted)
}

/// Reads the ordinary tokens `0..end_of_text_id` of a byte-level BPE `tokenizer.json` as raw bytes, after checking that
/// `<|endoftext|>` really has the id whisper.cpp will assume for it.
pub fn byte_level_tokens(
    tokenizer_json: &str,
    end_of_text_id: u32,
) -> Result<Vec<Vec<u8>>, WhisperImportError> {
    let invalid = |reason: String| WhisperImportError::InvalidTokenizer(reason);
    let document: Value = serde_json::from_str(tokenizer_json)
        .map_err(|error| invalid(format!("not JSON: {error}")))?;
    let model = document
        .get("model")
        .ok_or_else(|| invalid("there is no `model` section".to_owned()))?;
    if let Some(model_type) = model.get("type")
        && model_type != "BPE"
    {
        return Err(invalid(format!("the model type is {model_type}, not BPE")));
    }
    let vocabulary = model
        .get("vocab")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("`model.vocab` is not an object of tokens to ids".to_owned()))?;

    let declared_end_of_text = document
        .get("added_tokens")
        .and_then(Value::as_array)
        .and_then(|added| {
            added
                .iter()
                .find(|token| token.get("content") == Some(&Value::from(END_OF_TEXT_TOKEN)))
        })
        .and_then(|token| token.get("id"))
        .or_else(|| vocabulary.get(END_OF_TEXT_TOKEN))
        .and_then(Value::as_u64);
    if declared_end_of_text != Some(u64::from(end_of_text_id)) {
        return Err(invalid(format!(
            "{END_OF_TEXT_TOKEN} has id {declared_end_of_text:?}, but a model of this vocabulary size needs it at \
             {end_of_text_id}"
        )));
    }

    let mut texts_by_id: Vec<Option<&str>> = vec![None; end_of_text_id as usize];
    for (text, id) in vocabulary {
        let id = id
            .as_u64()
            .ok_or_else(|| invalid(format!("token {text:?} has the non-integer id {id}")))?;
        let Some(slot) = usize::try_from(id)
            .ok()
            .and_then(|index| texts_by_id.get_mut(index))
        else {
            continue;
        };
        if let Some(earlier) = slot.replace(text.as_str()) {
            return Err(invalid(format!(
                "id {id} is given to both {earlier:?} and {text:?}"
            )));
        }
    }

    texts_by_id
        .into_iter()
        .enumerate()
        .map(|(id, text)| {
            let text = text.ok_or_else(|| invalid(format!("no token has id {id}")))?;
            text.chars()
                .map(|character| {
                    byte_from_level_character(character).ok_or_else(|| {
                        invalid(format!("token {id} ({text:?}) has {character:?}, which is not a byte-level character"))
                    })
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::synthetic_tokenizer_json;
    use super::*;

    #[test]
    fn the_byte_alphabet_is_a_bijection_with_the_known_landmarks() {
        assert_eq!(byte_level_character(b' '), 'Ġ');
        assert_eq!(byte_level_character(b'\n'), 'Ċ');
        assert_eq!(byte_level_character(0), '\u{100}');
        assert_eq!(byte_level_character(0xad), '\u{143}');
        assert_eq!(byte_level_character(b'A'), 'A');
        let mut seen = std::collections::HashSet::new();
        for byte in 0..=u8::MAX {
            let character = byte_level_character(byte);
            assert!(seen.insert(character), "{character:?} is used twice");
            assert_eq!(byte_from_level_character(character), Some(byte));
        }
        assert_eq!(byte_from_level_character('\u{144}'), None);
        assert_eq!(byte_from_level_character(' '), None);
        assert_eq!(byte_from_level_character('场'), None);
    }

    #[test]
    fn decodes_ordinary_tokens_to_raw_bytes_in_id_order() {
        let json = synthetic_tokenizer_json(300);
        let tokens = byte_level_tokens(&json, 300).expect("the synthetic tokenizer is valid");
        assert_eq!(tokens.len(), 300);
        assert_eq!(tokens[usize::from(b' ')], b" ");
        assert_eq!(tokens[0xe5], [0xe5]);
        // The synthetic tokenizer spells 场 (U+573A) as the byte-level text of its UTF-8 bytes at id 256.
        assert_eq!(tokens[256], "场".as_bytes());
        assert_eq!(tokens[257], b" w257");
        assert_eq!(
            tokens[299], b"",
            "the id just below end-of-text is the empty token, as in Whisper's vocabulary"
        );
    }

    #[test]
    fn rejects_a_tokenizer_that_does_not_fit_the_model() {
        let json = synthetic_tokenizer_json(300);
        assert!(matches!(
            byte_level_tokens(&json, 299),
            Err(WhisperImportError::InvalidTokenizer(reason)) if reason.contains("has id Some(300)")
        ));
        let missing_token = json.replace("\"Ġw280\":280,", "");
        assert_eq!(
            byte_level_tokens(&missing_token, 300),
            Err(WhisperImportError::InvalidTokenizer(
                "no token has id 280".to_owned()
            ))
        );
        let foreign_character = json.replace("\"Ġw281\":281", "\"w 281\":281");
        assert!(matches!(
            byte_level_tokens(&foreign_character, 300),
            Err(WhisperImportError::InvalidTokenizer(reason)) if reason.contains("not a byte-level character")
        ));
        let duplicate_id = json.replace("\"Ġw282\":282", "\"Ġw282\":283");
        assert!(matches!(
            byte_level_tokens(&duplicate_id, 300),
            Err(WhisperImportError::InvalidTokenizer(reason)) if reason.contains("id 283 is given to both")
        ));
        assert!(matches!(
            byte_level_tokens("{\"model\": 3", 300),
            Err(WhisperImportError::InvalidTokenizer(_))
        ));
    }
}
