//! Hashed n-gram features of a normalised utterance: the only view of the text the intent classifier has.
//!
//! The text is cut into runs of Chinese characters, runs of letters ("words") and runs of digits. Chinese runs
//! give character unigrams, bigrams and trigrams; words give themselves, bigrams of neighbouring words, and, when
//! they are at least [`CHAR_NGRAM_MIN_WORD_CHARS`] characters long, character 3- to 5-grams of the word wrapped in
//! `<` and `>` so that a misspelt word still shares most of its pieces with the right one. Shorter words, such as
//! the pinyin initials customers type for speed (`hk` for 还款), stay whole. A run of digits becomes one token
//! naming only its length class, so that amounts, dates and phone numbers generalise.
//!
//! Each feature is hashed with 64-bit FNV-1a over a one-byte kind tag followed by the UTF-8 bytes of its text,
//! and the hash is folded to [`BUCKET_BITS`] bits (`(hash ^ (hash >> 32)) & mask`). FNV-1a is fixed by its
//! specification, so a bucket number means the same feature on every machine and in every later build; the
//! standard library's randomised hasher would not. The settings are written into every saved model, and a model
//! whose settings differ from this code is refused.

use serde::{Deserialize, Serialize};

/// Buckets are numbered `0 .. 2^BUCKET_BITS`.
pub const BUCKET_BITS: u32 = 18;
/// The number of hash buckets.
pub const BUCKET_COUNT: usize = 1 << BUCKET_BITS;
/// Words with fewer characters than this are kept whole and not cut into character n-grams.
pub const CHAR_NGRAM_MIN_WORD_CHARS: usize = 4;
/// The shortest and longest character n-grams taken inside a word (boundary markers included).
pub const CHAR_NGRAM_LENGTHS: (usize, usize) = (3, 5);
/// The longest run of Chinese characters taken as one n-gram.
pub const HAN_NGRAM_MAX: usize = 3;
/// The longest run of neighbouring words taken as one n-gram.
pub const WORD_NGRAM_MAX: usize = 2;

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The kind tags that start every hashed feature, so that equal text of different kinds does not collide.
const TAG_HAN: u8 = b'h';
const TAG_WORD: u8 = b'w';
const TAG_WORD_PAIR: u8 = b'p';
const TAG_CHAR_NGRAM: u8 = b'c';
const TAG_NUMBER: u8 = b'n';

/// The feature settings as a saved model records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureSettings {
    pub hash: String,
    pub bucket_bits: u32,
    pub han_ngram_max: usize,
    pub word_ngram_max: usize,
    pub char_ngram_min: usize,
    pub char_ngram_max: usize,
    pub char_ngram_min_word_chars: usize,
    pub number_classes: Vec<usize>,
}

/// Digit runs of up to 2, up to 6 and more digits fall into three classes.
const NUMBER_CLASS_LIMITS: [usize; 2] = [2, 6];

impl FeatureSettings {
    /// The settings this code implements.
    pub fn current() -> Self {
        Self {
            hash: "fnv1a-64-xor-fold".to_owned(),
            bucket_bits: BUCKET_BITS,
            han_ngram_max: HAN_NGRAM_MAX,
            word_ngram_max: WORD_NGRAM_MAX,
            char_ngram_min: CHAR_NGRAM_LENGTHS.0,
            char_ngram_max: CHAR_NGRAM_LENGTHS.1,
            char_ngram_min_word_chars: CHAR_NGRAM_MIN_WORD_CHARS,
            number_classes: NUMBER_CLASS_LIMITS.to_vec(),
        }
    }
}

/// An incremental 64-bit FNV-1a hash.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a64(u64);

impl Fnv1a64 {
    pub fn new() -> Self {
        Self(FNV_OFFSET_BASIS)
    }

    pub fn write_byte(&mut self, byte: u8) {
        self.0 ^= u64::from(byte);
        self.0 = self.0.wrapping_mul(FNV_PRIME);
    }

    pub fn write_bytes(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_byte(byte);
        }
    }

    pub fn write_char(&mut self, character: char) {
        let mut buffer = [0u8; 4];
        self.write_bytes(character.encode_utf8(&mut buffer).as_bytes());
    }

    pub fn finish(self) -> u64 {
        self.0
    }
}

impl Default for Fnv1a64 {
    fn default() -> Self {
        Self::new()
    }
}

/// Folds a 64-bit hash to a bucket number.
fn bucket_of(hash: u64) -> u32 {
    // The mask keeps BUCKET_BITS (< 32) bits, so the value always fits in a u32.
    ((hash ^ (hash >> 32)) & (BUCKET_COUNT as u64 - 1)) as u32
}

fn hash_chars(tag: u8, characters: &[char]) -> u32 {
    let mut hasher = Fnv1a64::new();
    hasher.write_byte(tag);
    for &character in characters {
        hasher.write_char(character);
    }
    bucket_of(hasher.finish())
}

/// The kinds of runs the text is cut into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RunKind {
    Han,
    Word,
    Number,
}

/// Whether a character is a Chinese (CJK unified or compatibility) ideograph.
pub fn is_han(character: char) -> bool {
    matches!(character as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x3007)
}

fn run_kind(character: char) -> Option<RunKind> {
    if is_han(character) {
        Some(RunKind::Han)
    } else if character.is_ascii_digit() {
        Some(RunKind::Number)
    } else if character.is_alphabetic() {
        Some(RunKind::Word)
    } else {
        None
    }
}

/// Calls `emit` with the bucket of every feature of `text`, in text order; features that occur twice are
/// emitted twice. `text` should already be normalised; letters are lower-cased here as well.
pub fn for_each_bucket(text: &str, emit: &mut dyn FnMut(u32)) {
    // The typographic apostrophe becomes the plain one, so "don’t" and "don't" are the same word.
    let characters: Vec<char> = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|character| {
            if character == '\u{2019}' {
                '\''
            } else {
                character
            }
        })
        .collect();
    // Words and numbers since the last Chinese run, for word bigrams: (start, end, is_number).
    let mut previous_token: Option<(usize, usize, RunKind)> = None;
    let mut index = 0;
    while index < characters.len() {
        let Some(kind) = run_kind(characters[index]) else {
            index += 1;
            continue;
        };
        let start = index;
        index += 1;
        while index < characters.len() {
            match run_kind(characters[index]) {
                Some(next_kind) if next_kind == kind => index += 1,
                // An apostrophe between two letters stays inside the word ("don't", "can't").
                None if kind == RunKind::Word
                    && characters[index] == '\''
                    && index + 1 < characters.len()
                    && run_kind(characters[index + 1]) == Some(RunKind::Word) =>
                {
                    index += 1;
                }
                _ => break,
            }
        }
        let run = &characters[start..index];
        match kind {
            RunKind::Han => {
                emit_han_ngrams(run, emit);
                previous_token = None;
            }
            RunKind::Word | RunKind::Number => {
                let token_bucket = token_bucket(kind, run);
                emit(token_bucket);
                if kind == RunKind::Word && run.len() >= CHAR_NGRAM_MIN_WORD_CHARS {
                    emit_char_ngrams(run, emit);
                }
                if WORD_NGRAM_MAX >= 2
                    && let Some((previous_start, previous_end, previous_kind)) = previous_token
                {
                    emit(word_pair_bucket(
                        (previous_kind, &characters[previous_start..previous_end]),
                        (kind, run),
                    ));
                }
                previous_token = Some((start, index, kind));
            }
        }
    }
}

/// The buckets of all features of `text`.
pub fn buckets(text: &str) -> Vec<u32> {
    let mut all = Vec::new();
    for_each_bucket(text, &mut |bucket| all.push(bucket));
    all
}

fn emit_han_ngrams(run: &[char], emit: &mut dyn FnMut(u32)) {
    for length in 1..=HAN_NGRAM_MAX {
        for window in run.windows(length) {
            emit(hash_chars(TAG_HAN, window));
        }
    }
}

fn number_class(digits: usize) -> u8 {
    let class = NUMBER_CLASS_LIMITS
        .iter()
        .position(|&limit| digits <= limit)
        .unwrap_or(NUMBER_CLASS_LIMITS.len());
    // There are three classes at most, so the position always fits in a byte.
    class as u8
}

fn write_token(hasher: &mut Fnv1a64, kind: RunKind, run: &[char]) {
    match kind {
        RunKind::Number => {
            hasher.write_byte(TAG_NUMBER);
            hasher.write_byte(b'0' + number_class(run.len()));
        }
        RunKind::Word | RunKind::Han => {
            for &character in run {
                hasher.write_char(character);
            }
        }
    }
}

fn token_bucket(kind: RunKind, run: &[char]) -> u32 {
    let mut hasher = Fnv1a64::new();
    hasher.write_byte(TAG_WORD);
    write_token(&mut hasher, kind, run);
    bucket_of(hasher.finish())
}

fn word_pair_bucket(first: (RunKind, &[char]), second: (RunKind, &[char])) -> u32 {
    let mut hasher = Fnv1a64::new();
    hasher.write_byte(TAG_WORD_PAIR);
    write_token(&mut hasher, first.0, first.1);
    hasher.write_byte(b' ');
    write_token(&mut hasher, second.0, second.1);
    bucket_of(hasher.finish())
}

fn emit_char_ngrams(word: &[char], emit: &mut dyn FnMut(u32)) {
    // The word wrapped in boundary markers; the whole wrapped word is left out, as the word feature covers it.
    let padded_length = word.len() + 2;
    let character_at = |position: usize| -> char {
        if position == 0 {
            '<'
        } else if position == padded_length - 1 {
            '>'
        } else {
            word[position - 1]
        }
    };
    let (shortest, longest) = CHAR_NGRAM_LENGTHS;
    for length in shortest..=longest.min(padded_length - 1) {
        for start in 0..=padded_length - length {
            let mut hasher = Fnv1a64::new();
            hasher.write_byte(TAG_CHAR_NGRAM);
            for position in start..start + length {
                hasher.write_char(character_at(position));
            }
            emit(bucket_of(hasher.finish()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fnv(bytes: &[u8]) -> u64 {
        let mut hasher = Fnv1a64::new();
        hasher.write_bytes(bytes);
        hasher.finish()
    }

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        assert_eq!(fnv(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn chinese_runs_give_unigrams_bigrams_and_trigrams() {
        // Four characters: 4 unigrams, 3 bigrams and 2 trigrams.
        assert_eq!(buckets("我要还款").len(), 9);
        // Punctuation splits runs: 2 + 1 and 2 + 1 features, nothing across the comma.
        assert_eq!(buckets("你好，谢谢").len(), 6);
        assert_eq!(buckets("你好")[0], hash_chars(TAG_HAN, &['你']));
    }

    #[test]
    fn short_words_stay_whole_and_long_words_add_character_ngrams() {
        // "hk" and "yq" are two words and their bigram.
        assert_eq!(buckets("hk yq").len(), 3);
        // "loan" wrapped is "<loan>": four 3-grams, three 4-grams and two 5-grams, plus the word itself.
        assert_eq!(buckets("loan").len(), 10);
    }

    #[test]
    fn a_misspelt_word_shares_character_ngrams_with_the_right_one() {
        let right = buckets("payment");
        let misspelt = buckets("paymnet");
        let shared = misspelt
            .iter()
            .filter(|bucket| right.contains(bucket))
            .count();
        assert!(shared >= 4, "only {shared} shared features");
        assert_ne!(right[0], misspelt[0]);
    }

    #[test]
    fn numbers_become_their_length_class_and_case_does_not_matter() {
        assert_eq!(buckets("pay 3500"), buckets("PAY 1234"));
        assert_ne!(buckets("pay 35"), buckets("pay 3500"));
        assert_eq!(buckets("还500"), buckets("还800"));
    }

    #[test]
    fn apostrophes_stay_inside_words() {
        assert_eq!(buckets("don't")[0], buckets("don’t")[0]);
        // One word of five characters: the word and twelve character n-grams, not "can" and "t".
        assert_eq!(buckets("can't").len(), 13);
    }

    #[test]
    fn text_without_letters_digits_or_han_has_no_features() {
        assert!(buckets("").is_empty());
        assert!(buckets("   \n\t").is_empty());
        assert!(buckets("?!…😀").is_empty());
    }

    #[test]
    fn every_bucket_is_in_range() {
        for bucket in buckets("我想 pay back 这个月的 installment, 谢谢 ok? 123456789") {
            assert!((bucket as usize) < BUCKET_COUNT);
        }
    }
}
