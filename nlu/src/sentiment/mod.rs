//! Sentiment of an utterance (negative, neutral, positive with a score), from a lexicon tuned to customer-service
//! speech in Chinese and English.
//!
//! The scorer cuts the text into tokens (one per Chinese character, one per English word, one per emoji or
//! punctuation mark), matches the longest lexicon phrase at each token, and adds up the cues it finds: anger
//! ("气死", "scam"), dissatisfaction ("不满意", "disappointed") and anxiety ("怎么办", "worried") count as
//! negative, thanks and relief ("谢谢", "解决了", "great") as positive. A negator just before a cue turns it
//! around ("不满意" is negative, "not happy" is negative, "不担心" leans positive), an intensifier makes it
//! stronger ("非常", "very"), a contrast word halves what came before it ("谢谢，但是..."), and exclamation
//! marks or repeated question marks amplify whichever side dominates. Set phrases that merely look like cues are
//! in the lexicon as neutral ("不好意思", "good morning", "操作"), so the longest match swallows them.
//!
//! The label is the side with the larger total; the score is the confidence in that label, between 0.5 and
//! 0.99 for a clear label and between 0.5 and 0.7 for neutral.
//!
//! The lexicon is the fallback and a feature source. [`model`] holds the candle model that [`crate::Nlu`] uses
//! when it has one (hashed n-grams plus the lexicon's counts from [`lexicon_cues`], a small network, a
//! temperature-calibrated softmax); [`data`] holds the project's own domain set and the evaluation.

pub mod data;
pub mod model;
#[cfg(test)]
mod model_tests;

pub use self::data::{SentimentEvaluation, evaluate};
pub use self::model::{SentimentExample, SentimentModel, SentimentOptions, SentimentProgress};

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentimentLabel {
    Negative,
    Neutral,
    Positive,
}

/// A sentiment label and the scorer's confidence in it, in `0.0..=1.0`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    pub label: SentimentLabel,
    pub score: f32,
}

/// Scores the sentiment of `text`, which is normally the output of [`crate::normalize::normalize`] (un-normalised
/// text works too; it is lower-cased here). Cues of both languages count, since customers mix them, but a cue in
/// the other language than `lang` weighs a little less than one in the utterance's own language.
pub fn score(text: &str, lang: Lang) -> Sentiment {
    lexicon_cues(text, lang).sentiment
}

/// What the lexicon found in one utterance: the weighted totals of its cues, the punctuation that amplifies
/// them, and the sentiment the lexicon alone gives. The candle model reads these as extra features.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LexiconCues {
    /// The summed weight of positive cues (after negation, intensifiers and contrast).
    pub positive: f32,
    /// The summed weight of negative cues.
    pub negative: f32,
    /// How many cues matched, and how many of them a negator turned around.
    pub cues: u32,
    pub negated_cues: u32,
    pub exclamation_marks: u32,
    pub question_marks: u32,
    /// The label and score of [`score`].
    pub sentiment: Sentiment,
}

/// Runs the lexicon over `text` (see [`score`]) and returns everything it counted.
pub fn lexicon_cues(text: &str, lang: Lang) -> LexiconCues {
    let tokens = tokenize(text);
    let mut tally = Tally::default();
    let mut pending_negation: Option<PendingModifier> = None;
    let mut pending_intensifier: Option<PendingModifier> = None;
    let mut index = 0;
    while index < tokens.len() {
        let token = &tokens[index];
        match token {
            Token::ClauseBreak => {
                pending_negation = None;
                pending_intensifier = None;
                index += 1;
                continue;
            }
            Token::Exclamation => {
                tally.exclamation_marks += 1;
                pending_negation = None;
                pending_intensifier = None;
                index += 1;
                continue;
            }
            Token::Question => {
                tally.question_marks += 1;
                pending_negation = None;
                pending_intensifier = None;
                index += 1;
                continue;
            }
            Token::Unit { .. } => {}
        }
        let Some((entry, length)) = longest_entry_at(&tokens, index) else {
            // An ordinary token uses up one step of any pending modifier's reach.
            pending_negation = pending_negation.and_then(PendingModifier::step);
            pending_intensifier = pending_intensifier.and_then(PendingModifier::step);
            index += 1;
            continue;
        };
        match entry.role {
            Role::Negator => {
                // Two negators in a row cancel out ("不是不满意").
                pending_negation = match pending_negation {
                    Some(_) => None,
                    None => Some(PendingModifier::new(1.0, entry.script)),
                };
            }
            Role::Intensifier(factor) => {
                pending_intensifier = Some(PendingModifier::new(factor, entry.script));
            }
            Role::Contrast => {
                tally.positive *= 0.5;
                tally.negative *= 0.5;
                pending_negation = None;
                pending_intensifier = None;
            }
            Role::Neutral => {
                pending_negation = None;
                pending_intensifier = None;
            }
            Role::Cue(polarity, weight) => {
                let language_factor = if entry.script == lang { 1.0 } else { 0.8 };
                let negated = pending_negation.take().is_some();
                let intensity = match pending_intensifier.take() {
                    // "不太满意" and "not very happy" are milder, not stronger.
                    Some(intensifier) if !negated => intensifier.value,
                    _ => 1.0,
                };
                let weight = weight * language_factor * intensity;
                tally.cues += 1;
                if negated {
                    tally.negated_cues += 1;
                }
                match (polarity, negated) {
                    (Polarity::Positive, false) => tally.positive += weight,
                    (Polarity::Negative, false) => tally.negative += weight,
                    // A negated positive cue ("不满意", "not happy") is nearly as negative as a plain negative one.
                    (Polarity::Positive, true) => tally.negative += weight * 0.8,
                    // A negated negative cue ("不担心", "not worried", "我不是骗子") is only a weak positive sign.
                    (Polarity::Negative, true) => tally.positive += weight * 0.2,
                }
            }
        }
        index += length;
    }
    let (positive, negative) = (tally.positive, tally.negative);
    let (cues, negated_cues) = (tally.cues, tally.negated_cues);
    let (exclamation_marks, question_marks) = (tally.exclamation_marks, tally.question_marks);
    LexiconCues {
        positive,
        negative,
        cues,
        negated_cues,
        exclamation_marks,
        question_marks,
        sentiment: tally.into_sentiment(),
    }
}

/// Whether a cue pushes towards positive or negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Polarity {
    Positive,
    Negative,
}

/// What a lexicon phrase does.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    /// A sentiment cue with its weight.
    Cue(Polarity, f32),
    /// Turns the next cue around.
    Negator,
    /// Multiplies the next cue.
    Intensifier(f32),
    /// "但是", "but": what follows matters more than what came before.
    Contrast,
    /// A set phrase that carries no sentiment but contains a cue word ("不好意思", "good morning").
    Neutral,
}

/// A negator or intensifier waiting for the cue it modifies, for at most a few tokens.
#[derive(Debug, Clone, Copy)]
struct PendingModifier {
    value: f32,
    remaining_tokens: u8,
}

impl PendingModifier {
    fn new(value: f32, script: Lang) -> Self {
        // Chinese packs a word into one or two characters, so a modifier reaches a few more tokens there.
        let remaining_tokens = match script {
            Lang::Zh => 3,
            Lang::En => 2,
        };
        Self {
            value,
            remaining_tokens,
        }
    }

    fn step(self) -> Option<Self> {
        (self.remaining_tokens > 1).then(|| Self {
            value: self.value,
            remaining_tokens: self.remaining_tokens - 1,
        })
    }
}

/// The running totals of one utterance.
#[derive(Debug, Default)]
struct Tally {
    positive: f32,
    negative: f32,
    exclamation_marks: u32,
    question_marks: u32,
    cues: u32,
    negated_cues: u32,
}

impl Tally {
    fn into_sentiment(self) -> Sentiment {
        let magnitude = self.positive + self.negative;
        if magnitude == 0.0 {
            // No cue at all: neutral, a little less sure when the customer is shouting about something we
            // could not read.
            let score = if self.exclamation_marks + self.question_marks >= 2 {
                0.55
            } else {
                0.65
            };
            return Sentiment {
                label: SentimentLabel::Neutral,
                score,
            };
        }
        let emphasis_marks = self.exclamation_marks + self.question_marks.saturating_sub(1);
        let emphasis = 1.0 + 0.2 * emphasis_marks.min(3) as f32;
        let (positive, negative) = if self.positive >= self.negative {
            (self.positive * emphasis, self.negative)
        } else {
            (self.positive, self.negative * emphasis)
        };
        let net = positive - negative;
        if net.abs() < 0.5 {
            // Weak or balanced cues: neutral, with less confidence the more cues pulled either way.
            let score = 0.5 + 0.2 / (1.0 + magnitude);
            return Sentiment {
                label: SentimentLabel::Neutral,
                score,
            };
        }
        let label = if net > 0.0 {
            SentimentLabel::Positive
        } else {
            SentimentLabel::Negative
        };
        let score = (0.5 + 0.49 * (1.0 - (-net.abs() / 1.6).exp())).min(0.99);
        Sentiment { label, score }
    }
}

/// A piece of the text as the scorer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A Chinese character, an English word (lower case, straight apostrophes), an emoji or another symbol.
    Unit {
        text: String,
        script: Lang,
    },
    /// A comma, full stop, semicolon or similar: modifiers do not reach across it.
    ClauseBreak,
    Exclamation,
    Question,
}

/// Cuts `text` into tokens; spaces separate tokens and are dropped.
fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        let c = crate::normalize::fold_char(c);
        let c = if c == '’' || c == '‘' { '\'' } else { c };
        if c.is_ascii_alphanumeric() || (c == '\'' && !word.is_empty()) {
            word.push(c);
            continue;
        }
        flush_word(&mut word, &mut tokens);
        match c {
            '!' => tokens.push(Token::Exclamation),
            '?' => tokens.push(Token::Question),
            ',' | '.' | ';' | ':' | '。' | '、' | '；' | '：' | '…' | '~' | '～' | '\n' | '('
            | ')' | '（' | '）' => tokens.push(Token::ClauseBreak),
            c if c.is_whitespace() || c == '-' || c == '\'' || c == '"' => {}
            c => tokens.push(Token::Unit {
                text: c.to_string(),
                script: Lang::Zh,
            }),
        }
    }
    flush_word(&mut word, &mut tokens);
    tokens
}

fn flush_word(word: &mut String, tokens: &mut Vec<Token>) {
    if word.is_empty() {
        return;
    }
    let text = word.trim_end_matches('\'').to_owned();
    word.clear();
    tokens.push(Token::Unit {
        text,
        script: Lang::En,
    });
}

/// One lexicon phrase, as the tokens it is made of.
#[derive(Debug)]
struct LexiconEntry {
    tokens: Vec<String>,
    role: Role,
    script: Lang,
}

/// The lexicon indexed by first token, longest phrases first.
static LEXICON: LazyLock<HashMap<String, Vec<LexiconEntry>>> = LazyLock::new(build_lexicon);

/// The longest lexicon phrase that starts at `tokens[index]`, with its length in tokens.
fn longest_entry_at(tokens: &[Token], index: usize) -> Option<(&'static LexiconEntry, usize)> {
    let Token::Unit { text, .. } = &tokens[index] else {
        return None;
    };
    let candidates = LEXICON.get(text.as_str())?;
    candidates.iter().find_map(|entry| {
        let end = index + entry.tokens.len();
        let matches = end <= tokens.len()
            && entry.tokens.iter().zip(&tokens[index..end]).all(
                |(expected, token)| matches!(token, Token::Unit { text, .. } if text == expected),
            );
        matches.then_some((entry, entry.tokens.len()))
    })
}

const ANGER: Role = Role::Cue(Polarity::Negative, 2.0);
const DISSATISFACTION: Role = Role::Cue(Polarity::Negative, 1.3);
const MILD_COMPLAINT: Role = Role::Cue(Polarity::Negative, 0.7);
const ANXIETY: Role = Role::Cue(Polarity::Negative, 1.2);
const THANKS: Role = Role::Cue(Polarity::Positive, 1.5);
const SATISFACTION: Role = Role::Cue(Polarity::Positive, 1.2);
const MILD_APPROVAL: Role = Role::Cue(Polarity::Positive, 0.6);
const STRONG_INTENSIFIER: Role = Role::Intensifier(1.6);
const INTENSIFIER: Role = Role::Intensifier(1.4);

/// Chinese phrases, written without spaces; each character is one token.
const CHINESE_LEXICON: &[(&str, Role)] = &[
    // Anger and abuse.
    ("气死", ANGER),
    ("气死我了", ANGER),
    ("气人", ANGER),
    ("生气", ANGER),
    ("愤怒", ANGER),
    ("火大", ANGER),
    ("垃圾", ANGER),
    ("骗子", ANGER),
    ("骗人", ANGER),
    ("诈骗", ANGER),
    ("投诉", ANGER),
    ("投诉你们", ANGER),
    ("举报", ANGER),
    ("曝光你们", ANGER),
    ("报警", ANGER),
    ("起诉你们", ANGER),
    ("滚", ANGER),
    ("妈的", ANGER),
    ("他妈的", ANGER),
    ("混蛋", ANGER),
    ("王八蛋", ANGER),
    ("无耻", ANGER),
    ("恶心", ANGER),
    ("黑心", ANGER),
    ("坑人", ANGER),
    ("坑爹", ANGER),
    ("吸血", ANGER),
    ("高利贷", ANGER),
    ("流氓", ANGER),
    ("强盗", ANGER),
    ("骚扰", ANGER),
    ("威胁", ANGER),
    ("恐吓", ANGER),
    ("暴力催收", ANGER),
    ("受够了", ANGER),
    ("忍无可忍", ANGER),
    ("过分", ANGER),
    ("什么破", ANGER),
    ("破公司", ANGER),
    ("有病", ANGER),
    ("神经病", ANGER),
    ("去死", ANGER),
    ("害人", ANGER),
    ("不要脸", ANGER),
    ("不像话", ANGER),
    ("岂有此理", ANGER),
    ("欺负人", ANGER),
    ("乱扣", ANGER),
    ("乱收费", ANGER),
    ("烦死了", ANGER),
    ("别再打了", ANGER),
    ("别打了", ANGER),
    ("不要再打了", ANGER),
    ("😡", ANGER),
    ("😠", ANGER),
    ("🤬", ANGER),
    // Dissatisfaction.
    ("不满意", DISSATISFACTION),
    ("不满", DISSATISFACTION),
    ("失望", DISSATISFACTION),
    ("太慢", DISSATISFACTION),
    ("慢死了", DISSATISFACTION),
    ("麻烦", DISSATISFACTION),
    ("烦", DISSATISFACTION),
    ("差劲", DISSATISFACTION),
    ("很差", DISSATISFACTION),
    ("太差", DISSATISFACTION),
    ("态度差", DISSATISFACTION),
    ("坑", DISSATISFACTION),
    ("不合理", DISSATISFACTION),
    ("不公平", DISSATISFACTION),
    ("不靠谱", DISSATISFACTION),
    ("离谱", DISSATISFACTION),
    ("乱七八糟", DISSATISFACTION),
    ("糟糕", DISSATISFACTION),
    ("难用", DISSATISFACTION),
    ("不好用", DISSATISFACTION),
    ("不好", DISSATISFACTION),
    ("扣错", DISSATISFACTION),
    ("多扣", DISSATISFACTION),
    ("重复扣", DISSATISFACTION),
    ("怎么回事", MILD_COMPLAINT),
    ("搞什么", DISSATISFACTION),
    ("到底", MILD_COMPLAINT),
    ("为什么还没", MILD_COMPLAINT),
    ("还没到账", MILD_COMPLAINT),
    ("一直没", MILD_COMPLAINT),
    ("慢", MILD_COMPLAINT),
    ("差", MILD_COMPLAINT),
    ("差评", DISSATISFACTION),
    ("太高", DISSATISFACTION),
    ("太贵", DISSATISFACTION),
    ("贵", MILD_COMPLAINT),
    // Anxiety and distress.
    ("急", ANXIETY),
    ("着急", ANXIETY),
    ("急死", ANXIETY),
    ("急用", ANXIETY),
    ("紧急", ANXIETY),
    ("担心", ANXIETY),
    ("害怕", ANXIETY),
    ("怕", ANXIETY),
    ("焦虑", ANXIETY),
    ("紧张", ANXIETY),
    ("慌", ANXIETY),
    ("怎么办", ANXIETY),
    ("咋办", ANXIETY),
    ("完蛋", ANXIETY),
    ("压力大", ANXIETY),
    ("压力", MILD_COMPLAINT),
    ("睡不着", ANXIETY),
    ("还不上", ANXIETY),
    ("还不起", ANXIETY),
    ("没钱", ANXIETY),
    ("没有钱", ANXIETY),
    ("失业", ANXIETY),
    ("走投无路", ANXIETY),
    ("崩溃", ANXIETY),
    ("救命", ANXIETY),
    ("求求", ANXIETY),
    ("影响征信", MILD_COMPLAINT),
    ("上征信", MILD_COMPLAINT),
    ("😭", ANXIETY),
    ("😢", ANXIETY),
    ("😰", ANXIETY),
    // Thanks and relief.
    ("谢谢", THANKS),
    ("多谢", THANKS),
    ("感谢", THANKS),
    ("谢啦", THANKS),
    ("谢了", THANKS),
    ("太好了", THANKS),
    ("解决了", THANKS),
    ("搞定了", THANKS),
    ("放心了", THANKS),
    ("安心了", THANKS),
    ("辛苦了", THANKS),
    ("明白了", MILD_APPROVAL),
    ("清楚了", MILD_APPROVAL),
    ("🙏", THANKS),
    ("👍", SATISFACTION),
    ("😊", SATISFACTION),
    ("😄", SATISFACTION),
    ("❤", SATISFACTION),
    // Satisfaction.
    ("满意", SATISFACTION),
    ("不错", SATISFACTION),
    ("很好", SATISFACTION),
    ("挺好", SATISFACTION),
    ("真好", SATISFACTION),
    ("好用", SATISFACTION),
    ("靠谱", SATISFACTION),
    ("专业", SATISFACTION),
    ("给力", SATISFACTION),
    ("贴心", SATISFACTION),
    ("耐心", SATISFACTION),
    ("棒", SATISFACTION),
    ("优秀", SATISFACTION),
    ("开心", SATISFACTION),
    ("高兴", SATISFACTION),
    ("喜欢", SATISFACTION),
    ("赞", SATISFACTION),
    ("好评", SATISFACTION),
    ("方便", MILD_APPROVAL),
    ("没问题", MILD_APPROVAL),
    // Set phrases that contain a cue character but carry no sentiment.
    ("不好意思", Role::Neutral),
    ("我妈的", Role::Neutral),
    ("紧急联系人", Role::Neutral),
    // Yes-no questions of the form "A 不 A" ask; they do not negate.
    ("是不是", Role::Neutral),
    ("有没有", Role::Neutral),
    ("能不能", Role::Neutral),
    ("会不会", Role::Neutral),
    ("要不要", Role::Neutral),
    ("好不好", Role::Neutral),
    ("行不行", Role::Neutral),
    ("对不对", Role::Neutral),
    ("可不可以", Role::Neutral),
    ("麻烦你", Role::Neutral),
    ("麻烦您", Role::Neutral),
    ("麻烦帮", Role::Neutral),
    ("麻烦问", Role::Neutral),
    ("麻烦查", Role::Neutral),
    ("麻烦给", Role::Neutral),
    ("麻烦把", Role::Neutral),
    ("麻烦转", Role::Neutral),
    ("不客气", Role::Neutral),
    ("不用谢", Role::Neutral),
    ("没关系", Role::Neutral),
    ("没事", Role::Neutral),
    ("好的", Role::Neutral),
    ("还好", Role::Neutral),
    ("恐怕", Role::Neutral),
    ("哪怕", Role::Neutral),
    ("不方便", Role::Neutral),
    ("方便的话", Role::Neutral),
    ("操作", Role::Neutral),
    ("最后", Role::Neutral),
    ("最近", Role::Neutral),
    ("最低", Role::Neutral),
    ("最多", Role::Neutral),
    ("最少", Role::Neutral),
    ("最晚", Role::Neutral),
    ("真实", Role::Neutral),
    ("好几", Role::Neutral),
    ("很多", Role::Neutral),
    ("很久", Role::Neutral),
    ("慢慢", Role::Neutral),
    ("还差", Role::Neutral),
    ("差不多", Role::Neutral),
    ("差点", Role::Neutral),
    ("差额", Role::Neutral),
    ("差价", Role::Neutral),
    ("相差", Role::Neutral),
    ("贵公司", Role::Neutral),
    // Negators.
    ("不", Role::Negator),
    ("没", Role::Negator),
    ("没有", Role::Negator),
    ("别", Role::Negator),
    ("未", Role::Negator),
    ("无", Role::Negator),
    ("不是", Role::Negator),
    ("并不", Role::Negator),
    ("并没有", Role::Negator),
    ("一点也不", Role::Negator),
    ("一点都不", Role::Negator),
    ("不太", Role::Negator),
    ("不怎么", Role::Negator),
    ("不用", Role::Negator),
    ("不要", Role::Negator),
    ("不必", Role::Negator),
    // Intensifiers.
    ("非常", STRONG_INTENSIFIER),
    ("特别", STRONG_INTENSIFIER),
    ("十分", STRONG_INTENSIFIER),
    ("极其", STRONG_INTENSIFIER),
    ("超级", STRONG_INTENSIFIER),
    ("简直", STRONG_INTENSIFIER),
    ("实在", STRONG_INTENSIFIER),
    ("太", INTENSIFIER),
    ("很", INTENSIFIER),
    ("真", INTENSIFIER),
    ("真的", INTENSIFIER),
    ("超", INTENSIFIER),
    ("好", INTENSIFIER),
    ("巨", INTENSIFIER),
    ("贼", INTENSIFIER),
    ("最", INTENSIFIER),
    ("完全", INTENSIFIER),
    // Contrast.
    ("但是", Role::Contrast),
    ("但", Role::Contrast),
    ("可是", Role::Contrast),
    ("不过", Role::Contrast),
    ("然而", Role::Contrast),
];

/// English phrases, words separated by spaces; each word is one token.
const ENGLISH_LEXICON: &[(&str, Role)] = &[
    // Anger and abuse.
    ("what the hell", ANGER),
    ("the hell", ANGER),
    ("wtf", ANGER),
    ("ridiculous", ANGER),
    ("scam", ANGER),
    ("scams", ANGER),
    ("scammer", ANGER),
    ("scammers", ANGER),
    ("scamming", ANGER),
    ("fraud", ANGER),
    ("rip off", ANGER),
    ("ripoff", ANGER),
    ("liar", ANGER),
    ("liars", ANGER),
    ("thieves", ANGER),
    ("crooks", ANGER),
    ("disgusting", ANGER),
    ("outrageous", ANGER),
    ("unacceptable", ANGER),
    ("furious", ANGER),
    ("angry", ANGER),
    ("pissed", ANGER),
    ("hate", ANGER),
    ("damn", ANGER),
    ("bullshit", ANGER),
    ("crap", ANGER),
    ("shit", ANGER),
    ("fuck", ANGER),
    ("fucking", ANGER),
    ("screw you", ANGER),
    ("sue you", ANGER),
    ("report you", ANGER),
    ("complain", ANGER),
    ("complaint", ANGER),
    ("harass", ANGER),
    ("harassing", ANGER),
    ("harassment", ANGER),
    ("threatening", ANGER),
    ("stop calling", ANGER),
    ("leave me alone", ANGER),
    ("sick of", ANGER),
    ("fed up", ANGER),
    ("loan shark", ANGER),
    ("loan sharks", ANGER),
    ("worst", ANGER),
    ("terrible", ANGER),
    ("awful", ANGER),
    ("horrible", ANGER),
    ("pathetic", ANGER),
    ("incompetent", ANGER),
    ("useless", ANGER),
    // Dissatisfaction.
    ("unhappy", DISSATISFACTION),
    ("bad", DISSATISFACTION),
    ("poor", DISSATISFACTION),
    ("disappointed", DISSATISFACTION),
    ("disappointing", DISSATISFACTION),
    ("annoying", DISSATISFACTION),
    ("annoyed", DISSATISFACTION),
    ("frustrated", DISSATISFACTION),
    ("frustrating", DISSATISFACTION),
    ("unfair", DISSATISFACTION),
    ("confusing", DISSATISFACTION),
    ("not working", DISSATISFACTION),
    ("doesn't work", DISSATISFACTION),
    ("does not work", DISSATISFACTION),
    ("slow", MILD_COMPLAINT),
    ("wrong", MILD_COMPLAINT),
    ("still not", MILD_COMPLAINT),
    ("still haven't", MILD_COMPLAINT),
    ("charged twice", MILD_COMPLAINT),
    // Anxiety and distress.
    ("worried", ANXIETY),
    ("worry", ANXIETY),
    ("worrying", ANXIETY),
    ("panic", ANXIETY),
    ("panicking", ANXIETY),
    ("anxious", ANXIETY),
    ("scared", ANXIETY),
    ("afraid", ANXIETY),
    ("nervous", ANXIETY),
    ("stressed", ANXIETY),
    ("urgent", ANXIETY),
    ("urgently", ANXIETY),
    ("asap", ANXIETY),
    ("desperate", ANXIETY),
    ("what should i do", ANXIETY),
    ("what do i do", ANXIETY),
    ("what can i do", ANXIETY),
    ("can't afford", ANXIETY),
    ("cannot afford", ANXIETY),
    ("can't pay", ANXIETY),
    ("cannot pay", ANXIETY),
    ("lost my job", ANXIETY),
    ("emergency", ANXIETY),
    ("overwhelmed", ANXIETY),
    ("freaking out", ANXIETY),
    // Thanks and relief.
    ("thanks", THANKS),
    ("thank you", THANKS),
    ("thank", THANKS),
    ("thx", THANKS),
    ("appreciate", THANKS),
    ("appreciated", THANKS),
    ("solved", THANKS),
    ("resolved", THANKS),
    ("relieved", THANKS),
    ("great", THANKS),
    ("awesome", THANKS),
    ("perfect", THANKS),
    ("excellent", THANKS),
    ("wonderful", THANKS),
    ("fantastic", THANKS),
    ("amazing", THANKS),
    ("brilliant", THANKS),
    // Satisfaction.
    ("helpful", SATISFACTION),
    ("happy", SATISFACTION),
    ("glad", SATISFACTION),
    ("pleased", SATISFACTION),
    ("satisfied", SATISFACTION),
    ("love", SATISFACTION),
    ("lovely", SATISFACTION),
    ("nice", SATISFACTION),
    ("best", Role::Cue(Polarity::Positive, 0.9)),
    ("fair", Role::Cue(Polarity::Positive, 0.9)),
    ("good", Role::Cue(Polarity::Positive, 0.9)),
    ("not bad", Role::Cue(Polarity::Positive, 0.9)),
    ("works now", SATISFACTION),
    ("cool", MILD_APPROVAL),
    ("no problem", MILD_APPROVAL),
    ("no worries", MILD_APPROVAL),
    // Set phrases that contain a cue word but carry no sentiment.
    ("good morning", Role::Neutral),
    ("good afternoon", Role::Neutral),
    ("good evening", Role::Neutral),
    ("good night", Role::Neutral),
    ("no thanks", Role::Neutral),
    ("no thank you", Role::Neutral),
    ("sorry", Role::Neutral),
    ("would love to", Role::Neutral),
    // Negators.
    ("not", Role::Negator),
    ("no", Role::Negator),
    ("never", Role::Negator),
    ("don't", Role::Negator),
    ("dont", Role::Negator),
    ("doesn't", Role::Negator),
    ("isn't", Role::Negator),
    ("wasn't", Role::Negator),
    ("aren't", Role::Negator),
    ("weren't", Role::Negator),
    ("can't", Role::Negator),
    ("cannot", Role::Negator),
    ("won't", Role::Negator),
    ("didn't", Role::Negator),
    ("haven't", Role::Negator),
    ("hasn't", Role::Negator),
    ("hardly", Role::Negator),
    ("without", Role::Negator),
    // Intensifiers.
    ("extremely", STRONG_INTENSIFIER),
    ("absolutely", STRONG_INTENSIFIER),
    ("incredibly", STRONG_INTENSIFIER),
    ("totally", STRONG_INTENSIFIER),
    ("completely", STRONG_INTENSIFIER),
    ("very", INTENSIFIER),
    ("so", INTENSIFIER),
    ("really", INTENSIFIER),
    ("super", INTENSIFIER),
    ("too", INTENSIFIER),
    ("such", INTENSIFIER),
    ("truly", INTENSIFIER),
    // Contrast.
    ("but", Role::Contrast),
    ("however", Role::Contrast),
];

fn build_lexicon() -> HashMap<String, Vec<LexiconEntry>> {
    let chinese = CHINESE_LEXICON.iter().map(|(phrase, role)| LexiconEntry {
        tokens: phrase.chars().map(String::from).collect(),
        role: *role,
        script: Lang::Zh,
    });
    let english = ENGLISH_LEXICON.iter().map(|(phrase, role)| LexiconEntry {
        tokens: phrase.split(' ').map(String::from).collect(),
        role: *role,
        script: Lang::En,
    });
    let mut lexicon: HashMap<String, Vec<LexiconEntry>> = HashMap::new();
    for entry in chinese.chain(english) {
        if let Some(first) = entry.tokens.first() {
            lexicon.entry(first.clone()).or_default().push(entry);
        }
    }
    for entries in lexicon.values_mut() {
        entries.sort_by_key(|entry| std::cmp::Reverse(entry.tokens.len()));
    }
    lexicon
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn label_of(text: &str, lang: Lang) -> SentimentLabel {
        score(&normalize(text).text, lang).label
    }

    fn score_of(text: &str, lang: Lang) -> f32 {
        score(&normalize(text).text, lang).score
    }

    use SentimentLabel::{Negative, Neutral, Positive};

    const CHINESE_CASES: &[(&str, SentimentLabel)] = &[
        ("气死我了，你们这是什么破系统", Negative),
        ("你们就是骗子！", Negative),
        ("垃圾公司，我要投诉你们", Negative),
        ("再打电话我就报警", Negative),
        ("我对这个处理结果不满意", Negative),
        ("太过分了吧", Negative),
        ("我很着急，钱还没到账怎么办", Negative),
        ("我真的很担心会影响征信", Negative),
        ("我失业了，实在还不上", Negative),
        ("你们的服务太差了", Negative),
        ("为什么又多扣了我一笔钱？？？", Negative),
        ("不是很满意", Negative),
        ("谢谢你，太好了", Positive),
        ("问题解决了，非常感谢", Positive),
        ("你们的服务不错", Positive),
        ("好的，谢谢", Positive),
        ("客服很耐心，很专业", Positive),
        ("终于放心了", Positive),
        ("虽然有点慢，但是最后解决了，谢谢", Positive),
        ("不用担心，我会按时还的", Neutral),
        ("我想查一下我的账单", Neutral),
        ("下周五还三千五", Neutral),
        ("不好意思，刚才在开会", Neutral),
        ("麻烦你帮我查一下还款日", Neutral),
        ("我不急，慢慢处理就行", Neutral),
        ("好的", Neutral),
        ("APP怎么操作还款", Neutral),
        ("你们是不是骗子", Negative),
        ("你们这服务态度真差", Negative),
        ("这个利息太高了吧", Negative),
        ("还差两百块", Neutral),
        ("我是他的紧急联系人", Neutral),
        ("我不是骗子，我会还的", Neutral),
        ("麻烦帮我查一下我还欠多少钱", Neutral),
        ("我妈的卡被扣款了", Neutral),
    ];

    const ENGLISH_CASES: &[(&str, SentimentLabel)] = &[
        ("What the hell is this charge?", Negative),
        ("This is ridiculous, you people are a scam!", Negative),
        ("I am not happy with your service", Negative),
        ("Stop calling me or I will report you", Negative),
        ("I'm really worried about my credit score", Negative),
        ("I lost my job and I can't pay, what should I do", Negative),
        ("Your app is terrible", Negative),
        ("I'm very disappointed", Negative),
        ("Why was I charged twice??", Negative),
        ("This is urgent, please help", Negative),
        ("That's not fair", Negative),
        ("You guys are the best", Positive),
        ("You are useless", Negative),
        ("Thanks, that's great!", Positive),
        ("Thank you so much, problem solved", Positive),
        ("Not bad at all", Positive),
        ("The agent was very helpful", Positive),
        ("Perfect, I'm relieved", Positive),
        ("It was slow but you resolved it, thanks", Positive),
        ("I'm happy with the plan", Positive),
        ("Don't worry, I will pay on Friday", Neutral),
        ("I want to check my balance", Neutral),
        ("Good morning, I have a question about my loan", Neutral),
        ("When is my next payment due?", Neutral),
        ("Can you help me reset my password", Neutral),
        ("Sorry, I was driving", Neutral),
        ("No thanks", Neutral),
        ("Can I pay 500 next Friday", Neutral),
    ];

    #[test]
    fn chinese_sentences_get_the_expected_label() {
        let mut failures = Vec::new();
        for (text, expected) in CHINESE_CASES {
            let sentiment = score(&normalize(text).text, Lang::Zh);
            if sentiment.label != *expected {
                failures.push(format!("{text}: expected {expected:?}, got {sentiment:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(CHINESE_CASES.len() >= 20);
    }

    #[test]
    fn english_sentences_get_the_expected_label() {
        let mut failures = Vec::new();
        for (text, expected) in ENGLISH_CASES {
            let sentiment = score(&normalize(text).text, Lang::En);
            if sentiment.label != *expected {
                failures.push(format!("{text}: expected {expected:?}, got {sentiment:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(ENGLISH_CASES.len() >= 20);
    }

    #[test]
    fn scores_stay_in_range() {
        for (text, _) in CHINESE_CASES.iter().chain(ENGLISH_CASES) {
            for lang in [Lang::Zh, Lang::En] {
                let sentiment = score(&normalize(text).text, lang);
                assert!(
                    (0.0..=1.0).contains(&sentiment.score),
                    "{text}: {sentiment:?}"
                );
                if sentiment.label == Neutral {
                    assert!(
                        (0.5..=0.7).contains(&sentiment.score),
                        "{text}: {sentiment:?}"
                    );
                } else {
                    assert!(sentiment.score > 0.6, "{text}: {sentiment:?}");
                }
            }
        }
    }

    #[test]
    fn text_without_cues_is_neutral_with_moderate_confidence() {
        for (text, lang) in [
            ("我想查账单", Lang::Zh),
            ("my loan id is LN001", Lang::En),
            ("", Lang::Zh),
            ("1234", Lang::En),
        ] {
            let sentiment = score(text, lang);
            assert_eq!(sentiment.label, Neutral, "{text}");
            assert!(
                (0.5..=0.7).contains(&sentiment.score),
                "{text}: {sentiment:?}"
            );
        }
    }

    #[test]
    fn negation_turns_cues_around() {
        assert_eq!(label_of("满意", Lang::Zh), Positive);
        assert_eq!(label_of("不满意", Lang::Zh), Negative);
        assert_eq!(label_of("我对结果并不满意", Lang::Zh), Negative);
        assert_eq!(label_of("不错", Lang::Zh), Positive);
        assert_eq!(label_of("happy", Lang::En), Positive);
        assert_eq!(label_of("not happy", Lang::En), Negative);
        assert_eq!(label_of("I'm not worried", Lang::En), Neutral);
        assert_eq!(label_of("not bad", Lang::En), Positive);
        // Negation does not reach across a comma.
        assert_eq!(label_of("no, thanks a lot", Lang::En), Positive);
    }

    #[test]
    fn intensifiers_and_exclamations_raise_confidence() {
        let plain = score_of("我不满意", Lang::Zh);
        let intensified = score_of("我非常生气", Lang::Zh);
        let base_anger = score_of("我生气", Lang::Zh);
        assert!(intensified > base_anger, "{intensified} vs {base_anger}");
        assert!(plain > 0.5);
        let calm = score_of("this is ridiculous", Lang::En);
        let shouted = score_of("this is ridiculous!!!", Lang::En);
        assert!(shouted > calm, "{shouted} vs {calm}");
        let thanks = score_of("thanks", Lang::En);
        let warm_thanks = score_of("thanks, very helpful!", Lang::En);
        assert!(warm_thanks > thanks, "{warm_thanks} vs {thanks}");
    }

    #[test]
    fn contrast_favours_the_later_clause() {
        assert_eq!(label_of("谢谢，但是你们太坑了", Lang::Zh), Negative);
        assert_eq!(label_of("thanks, but this is a scam", Lang::En), Negative);
        assert_eq!(
            label_of("the app is slow but the agent was great", Lang::En),
            Positive
        );
    }

    #[test]
    fn mixed_language_cues_count() {
        assert_eq!(label_of("ok 谢谢", Lang::Zh), Positive);
        assert_eq!(label_of("你们是 scam", Lang::Zh), Negative);
        let native = score_of("scam", Lang::En);
        let foreign = score_of("scam", Lang::Zh);
        assert!(native > foreign);
    }

    #[test]
    fn emoji_carry_sentiment() {
        assert_eq!(label_of("👍", Lang::Zh), Positive);
        assert_eq!(label_of("😡😡", Lang::Zh), Negative);
    }
}
