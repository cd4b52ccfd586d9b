//! A general-text corrector built from pycorrector's data handed in as text (its confusion sets and word
//! frequencies), for measuring on SIGHAN-2015 what those sets can do beyond the domain words. It is not part of
//! parsing: without a language model it is far less precise than the compiled-in domain corrector, and
//! `anxin nlu correct-eval --general` reports by how much.
//!
//! The method is word formation. jieba cuts the sentence; a character left on its own is a suspect. A suspect is
//! replaced by the character of the same sound or shape that forms the most frequent dictionary word with a
//! neighbour that is itself on its own, when that word is frequent enough ([`MIN_WORD_FREQUENCY`]) and the
//! suspect formed no word with that neighbour before.

use std::collections::HashMap;

/// The least frequency (in pycorrector's `word_freq.txt`) of the word a replacement must form.
pub const MIN_WORD_FREQUENCY: u32 = 1000;

/// The general corrector's tables.
pub struct GeneralCorrector {
    confusions: HashMap<char, Vec<char>>,
    frequencies: HashMap<String, u32>,
}

impl std::fmt::Debug for GeneralCorrector {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("GeneralCorrector")
            .field("confusions", &self.confusions.len())
            .field("words", &self.frequencies.len())
            .finish()
    }
}

impl GeneralCorrector {
    /// Builds the corrector from the text of `same_pinyin.txt` (character, same tone, other tones), `same_stroke.txt`
    /// (groups of similar shape) and `word_freq.txt` (`word frequency tag` lines). Malformed lines are skipped.
    pub fn new(same_pinyin: &str, same_stroke: &str, word_freq: &str) -> GeneralCorrector {
        let mut confusions: HashMap<char, Vec<char>> = HashMap::new();
        for line in same_pinyin.lines().filter(|line| !line.starts_with('#')) {
            let mut fields = line.split('\t');
            let Some(key) = fields.next().and_then(|field| field.chars().next()) else {
                continue;
            };
            confusions
                .entry(key)
                .or_default()
                .extend(fields.flat_map(str::chars));
        }
        for line in same_stroke.lines().filter(|line| !line.starts_with('#')) {
            let group: Vec<char> = line.split('\t').filter_map(|f| f.chars().next()).collect();
            for &member in &group {
                confusions
                    .entry(member)
                    .or_default()
                    .extend(group.iter().filter(|&&other| other != member));
            }
        }
        for similar in confusions.values_mut() {
            similar.sort_unstable();
            similar.dedup();
        }
        let frequencies = word_freq
            .lines()
            .filter_map(|line| {
                let mut fields = line.split(' ');
                let word = fields.next()?;
                let frequency = fields.next()?.parse().ok()?;
                (word.chars().count() >= 2).then(|| (word.to_owned(), frequency))
            })
            .collect();
        GeneralCorrector {
            confusions,
            frequencies,
        }
    }

    fn frequency(&self, characters: &[char]) -> u32 {
        let word: String = characters.iter().collect();
        self.frequencies.get(&word).copied().unwrap_or(0)
    }

    /// Corrects `text` one character for one.
    pub fn correct(&self, text: &str) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        let tokens = super::domain().segmenter.cut(text, false);
        let mut alone = vec![false; chars.len()];
        for token in &tokens {
            if token.end - token.start == 1 {
                alone[token.start] = true;
            }
        }
        let is_han = |c: char| matches!(c, '\u{4E00}'..='\u{9FFF}');
        let mut index = 0;
        while index < chars.len() {
            if !alone[index] || !is_han(chars[index]) {
                index += 1;
                continue;
            }
            let original = chars[index];
            let mut best: Option<(u32, char, usize)> = None;
            for neighbour in [index.checked_sub(1), Some(index + 1)]
                .into_iter()
                .flatten()
            {
                if neighbour >= chars.len() || !alone[neighbour] || !is_han(chars[neighbour]) {
                    continue;
                }
                let pair = |middle: char| {
                    if neighbour < index {
                        [chars[neighbour], middle]
                    } else {
                        [middle, chars[neighbour]]
                    }
                };
                if self.frequency(&pair(original)) > 0 {
                    continue;
                }
                for &candidate in self.confusions.get(&original).into_iter().flatten() {
                    let frequency = self.frequency(&pair(candidate));
                    if frequency >= MIN_WORD_FREQUENCY
                        && best.is_none_or(|(best_frequency, _, _)| frequency > best_frequency)
                    {
                        best = Some((frequency, candidate, neighbour));
                    }
                }
            }
            match best {
                Some((_, candidate, neighbour)) => {
                    chars[index] = candidate;
                    // The neighbour is now part of a word; neither is a suspect any more.
                    alone[neighbour] = false;
                    index += 1;
                }
                None => index += 1,
            }
        }
        chars.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAME_PINYIN: &str = "#汉字\t同音同调\t同音异调\n有\t友又\t\n友\t有又\t\n";
    const SAME_STROKE: &str = "无\t舞\n";
    const WORD_FREQ: &str = "朋友 2000 n\n对不起 900 l\n跳舞 3000 v\n有人 5000 r\n";

    #[test]
    fn a_lone_character_becomes_the_one_that_forms_a_frequent_word() {
        let corrector = GeneralCorrector::new(SAME_PINYIN, SAME_STROKE, WORD_FREQ);
        assert_eq!(corrector.correct("我跟朋有去玩"), "我跟朋友去玩");
        assert_eq!(corrector.correct("他们跳无"), "他们跳舞");
        // Correct text stays as it is.
        assert_eq!(corrector.correct("我跟朋友去玩"), "我跟朋友去玩");
        assert_eq!(corrector.correct(""), "");
        assert_eq!(corrector.correct("hello"), "hello");
    }
}
