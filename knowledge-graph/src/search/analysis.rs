//! Text analysis for FAQ search: turning a question in Chinese, English or both into the terms the index holds.
//!
//! Text is first normalised: full-width letters and digits become half-width, letters become lower case and
//! traditional characters become simplified ones through a table. Chinese runs are then cut into words by jieba, with
//! the lender's own words added to its dictionary, and every run also yields its overlapping character pairs, so a
//! typo or a word the dictionary lacks still shares most of its pairs with the right question. English runs are cut at
//! anything that is not a letter or digit, and each word is reduced to a rough stem ("charges", "charged" and
//! "charging" all become "charg"). Very common words of either language are dropped. Synonyms are not applied here:
//! [`Analyser::synonym_expansions`] finds them in a query, and the index searches for the other members too.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::{SearchError, SearchOptions};

/// Analyses questions and queries the same way for indexing and searching.
pub struct Analyser {
    segmenter: Jieba,
    simplified: HashMap<char, char>,
    stopwords: HashSet<String>,
    /// Each group's members, normalised, with the terms each member analyses to.
    synonym_groups: Vec<Vec<SynonymMember>>,
}

impl std::fmt::Debug for Analyser {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Analyser")
            .field("simplified", &self.simplified.len())
            .field("stopwords", &self.stopwords.len())
            .field("synonym_groups", &self.synonym_groups.len())
            .finish_non_exhaustive()
    }
}

/// One way of saying a thing, as written in the synonym table.
#[derive(Debug, Clone)]
struct SynonymMember {
    /// The member, normalised.
    text: String,
    /// Whether the member is English and must match whole words.
    is_english: bool,
    /// The terms the member analyses to.
    terms: Vec<String>,
    /// The terms that must all be present in a question for it to say this member: character pairs for Chinese,
    /// stems for English.
    signature: Vec<String>,
}

/// A synonym group one of whose members a query says.
#[derive(Debug, Clone)]
pub struct SynonymExpansion {
    /// The query terms the member said in the query accounts for.
    pub covered_terms: Vec<String>,
    /// For every other member of the group: the terms to search for, and the terms a question must hold to say it.
    pub alternatives: Vec<(Vec<String>, Vec<String>)>,
}

/// Whether a character is a CJK ideograph.
pub(crate) fn is_han(character: char) -> bool {
    matches!(character, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// Whether the text holds any Chinese.
pub fn has_chinese(text: &str) -> bool {
    text.chars().any(is_han)
}

/// A contiguous stretch of one script.
enum Run<'a> {
    Chinese(&'a str),
    Latin(&'a str),
}

/// Splits normalised text into runs of Chinese characters and runs of letters and digits, dropping everything else.
fn runs(text: &str) -> Vec<Run<'_>> {
    let mut runs = Vec::new();
    let mut start: Option<(usize, bool)> = None;
    for (offset, character) in text.char_indices() {
        let kind = if is_han(character) {
            Some(true)
        } else if character.is_alphanumeric() {
            Some(false)
        } else {
            None
        };
        match (start, kind) {
            (Some((_, chinese)), Some(now)) if chinese == now => {}
            (Some((begin, chinese)), _) => {
                runs.push(run_of(&text[begin..offset], chinese));
                start = kind.map(|now| (offset, now));
            }
            (None, _) => start = kind.map(|now| (offset, now)),
        }
    }
    if let Some((begin, chinese)) = start {
        runs.push(run_of(&text[begin..], chinese));
    }
    runs
}

fn run_of(text: &str, chinese: bool) -> Run<'_> {
    if chinese {
        Run::Chinese(text)
    } else {
        Run::Latin(text)
    }
}

/// Reduces an English word to a rough stem, so that plural, past and progressive forms meet.
pub(crate) fn stem(word: &str) -> String {
    let mut stem = word.to_owned();
    let length = stem.chars().count();
    if length > 4 && stem.ends_with("ies") {
        stem.truncate(stem.len() - 3);
        stem.push('y');
    } else if stem.ends_with("sses") {
        stem.truncate(stem.len() - 2);
    } else if length > 5 && stem.ends_with("ing") {
        stem.truncate(stem.len() - 3);
    } else if length > 4 && stem.ends_with("ed") {
        stem.truncate(stem.len() - 2);
    } else if length > 3 && stem.ends_with('s') && !stem.ends_with("ss") && !stem.ends_with("us") {
        stem.truncate(stem.len() - 1);
    }
    if stem.chars().count() > 4 && stem.ends_with('e') {
        stem.truncate(stem.len() - 1);
    }
    stem
}

/// Overlapping pairs of characters of a Chinese run; a single character stands for itself.
fn character_pairs(run: &str) -> Vec<String> {
    let characters: Vec<char> = run.chars().collect();
    if characters.len() == 1 {
        return vec![run.to_owned()];
    }
    characters
        .windows(2)
        .map(|pair| pair.iter().collect())
        .collect()
}

/// The lines of a data file that carry data: trimmed, without blank lines and `#` comments, with their line numbers.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
}

impl Analyser {
    /// Builds the analyser from the dictionary, traditional-character, stop-word and synonym tables of the options.
    pub fn new(options: &SearchOptions) -> Result<Analyser, SearchError> {
        let mut segmenter = Jieba::new();
        for (line, text) in data_lines(&options.dictionary) {
            let mut fields = text.split_whitespace();
            let word = fields.next().unwrap_or_default();
            let frequency = match fields.next() {
                Some(number) => Some(number.parse::<usize>().map_err(|_| SearchError::Data {
                    table: "dictionary",
                    line,
                    message: format!("{number:?} is not a word frequency"),
                })?),
                None => None,
            };
            segmenter.add_word(word, frequency, fields.next());
        }

        let mut simplified = HashMap::new();
        for (line, text) in data_lines(&options.traditional) {
            for pair in text.split_whitespace() {
                let characters: Vec<char> = pair.chars().collect();
                let [traditional, simple] = characters[..] else {
                    return Err(SearchError::Data {
                        table: "traditional",
                        line,
                        message: format!("{pair:?} is not a pair of characters"),
                    });
                };
                simplified.insert(traditional, simple);
            }
        }

        let stopwords = data_lines(&options.stopwords)
            .flat_map(|(_, text)| text.split_whitespace())
            .map(str::to_owned)
            .collect();

        let mut analyser = Analyser {
            segmenter,
            simplified,
            stopwords,
            synonym_groups: Vec::new(),
        };
        let mut groups = Vec::new();
        for (line, text) in data_lines(&options.synonyms) {
            let members: Vec<SynonymMember> = text
                .split('|')
                .map(|member| analyser.synonym_member(member))
                .filter(|member| !member.terms.is_empty())
                .collect();
            if members.len() < 2 {
                return Err(SearchError::Data {
                    table: "synonyms",
                    line,
                    message: "a synonym group needs at least two members that are not stop words"
                        .to_owned(),
                });
            }
            groups.push(members);
        }
        analyser.synonym_groups = groups;
        Ok(analyser)
    }

    fn synonym_member(&self, member: &str) -> SynonymMember {
        let text = self.normalise(member);
        let is_english = !has_chinese(&text);
        let terms = self.terms(&text);
        let signature = if is_english {
            terms.clone()
        } else {
            runs(&text)
                .into_iter()
                .flat_map(|run| match run {
                    Run::Chinese(chinese) => character_pairs(chinese),
                    Run::Latin(latin) => vec![stem(latin)],
                })
                .collect()
        };
        SynonymMember {
            text,
            is_english,
            terms,
            signature,
        }
    }

    /// Half-width, lower-case, simplified text.
    pub fn normalise(&self, text: &str) -> String {
        text.chars()
            .map(|character| {
                let half_width = match character {
                    '\u{ff01}'..='\u{ff5e}' => {
                        char::from_u32(character as u32 - 0xfee0).unwrap_or(character)
                    }
                    '\u{3000}' => ' ',
                    other => other,
                };
                self.simplified
                    .get(&half_width)
                    .copied()
                    .unwrap_or(half_width)
            })
            .flat_map(char::to_lowercase)
            .collect()
    }

    /// The terms of a text, in order, repeats kept (they count towards term frequency).
    pub fn terms(&self, text: &str) -> Vec<String> {
        let normalised = self.normalise(text);
        let mut terms = Vec::new();
        for run in runs(&normalised) {
            match run {
                Run::Chinese(chinese) => {
                    let single = chinese.chars().count() == 1;
                    for token in self.segmenter.cut_for_search(chinese, true) {
                        let is_word = single || token.word.chars().count() > 1;
                        if is_word && !self.stopwords.contains(token.word) {
                            terms.push(token.word.to_owned());
                        }
                    }
                    for pair in character_pairs(chinese) {
                        if !self.stopwords.contains(&pair) {
                            terms.push(pair);
                        }
                    }
                }
                Run::Latin(latin) => {
                    if !self.stopwords.contains(latin) {
                        terms.push(stem(latin));
                    }
                }
            }
        }
        terms
    }

    /// The synonym groups a query says a member of, with what to search for instead.
    pub fn synonym_expansions(&self, query: &str) -> Vec<SynonymExpansion> {
        let normalised = self.normalise(query);
        let words: Vec<&str> = runs(&normalised)
            .into_iter()
            .filter_map(|run| match run {
                Run::Latin(latin) => Some(latin),
                Run::Chinese(_) => None,
            })
            .collect();
        let latin_text = format!(" {} ", words.join(" "));
        let mut expansions = Vec::new();
        for group in &self.synonym_groups {
            for (index, member) in group.iter().enumerate() {
                let said = if member.is_english {
                    latin_text.contains(&format!(" {} ", member.text))
                } else {
                    normalised.contains(&member.text)
                };
                if !said {
                    continue;
                }
                let alternatives = group
                    .iter()
                    .enumerate()
                    .filter(|(other, _)| *other != index)
                    .map(|(_, other)| (other.terms.clone(), other.signature.clone()))
                    .collect();
                expansions.push(SynonymExpansion {
                    covered_terms: member.terms.clone(),
                    alternatives,
                });
                break;
            }
        }
        expansions
    }
}

/// The analyser as a tantivy tokenizer, so the index holds exactly the terms queries are analysed into.
#[derive(Debug, Clone)]
pub struct AnalyserTokenizer {
    pub analyser: Arc<Analyser>,
}

/// The terms of one text, handed to tantivy one at a time.
pub struct AnalysedTokens {
    pending: VecDeque<Token>,
    current: Token,
}

impl Tokenizer for AnalyserTokenizer {
    type TokenStream<'a> = AnalysedTokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> AnalysedTokens {
        let pending = self
            .analyser
            .terms(text)
            .into_iter()
            .enumerate()
            .map(|(position, term)| Token {
                offset_from: 0,
                offset_to: text.len(),
                position,
                text: term,
                position_length: 1,
            })
            .collect();
        AnalysedTokens {
            pending,
            current: Token::default(),
        }
    }
}

impl TokenStream for AnalysedTokens {
    fn advance(&mut self) -> bool {
        match self.pending.pop_front() {
            Some(token) => {
                self.current = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}
