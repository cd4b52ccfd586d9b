//! The XLM-R SentencePiece unigram tokenizer, rebuilt from the pieces, scores and normalisation map of an `E5S1`
//! file.
//!
//! Encoding follows the SentencePiece pipeline the model was trained with: every character goes through the file's
//! normalisation map (full-width forms to ASCII, control characters removed, every kind of space to U+0020, and
//! so on); runs of spaces collapse to one and spaces at either end are dropped; each remaining space becomes the
//! metaspace `▁` and one `▁` is put in front, so every word starts with it. The text is then cut into words in
//! front of each `▁`, and each word is split into pieces by the Viterbi algorithm over the unigram scores: the
//! segmentation whose piece scores sum highest wins. A character that no piece covers becomes `<unk>` (scored ten
//! below the lowest piece, as SentencePiece does), and neighbouring unknown characters share one `<unk>`. Control
//! pieces (`<s>`, `</s>`, `<pad>`, `<unk>`, `<mask>`) are never matched against text, so a customer typing `<s>`
//! gets ordinary characters. [`Tokenizer::encode`] wraps the pieces in `<s> … </s>` and truncates.
//!
//! Pieces live in one string with an open-addressing hash table of ids over it, which keeps the 250,002-piece
//! vocabulary at a few megabytes.

use super::e5s1::{E5s1File, SpecialTokenIds};
use crate::NluError;

/// SentencePiece's metaspace, which stands for a space inside pieces.
pub const METASPACE: char = '\u{2581}';

/// How far below the lowest piece score an unknown character is scored (SentencePiece's `kUnkPenalty`).
const UNKNOWN_PENALTY: f64 = 10.0;

/// The name of the masking piece, a control piece that is not among the header's special ids.
const MASK_PIECE: &str = "<mask>";

/// A unigram tokenizer over the vocabulary of an `E5S1` file.
#[derive(Clone)]
pub struct Tokenizer {
    pieces: PieceTable,
    scores: Vec<f32>,
    normalization: NormalizationMap,
    special_tokens: SpecialTokenIds,
    unknown_score: f64,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Tokenizer")
            .field("pieces", &self.scores.len())
            .field("normalized_characters", &self.normalization.sources.len())
            .field("special_tokens", &self.special_tokens)
            .finish()
    }
}

impl Tokenizer {
    /// Builds the tokenizer from the vocabulary and normalisation map of a parsed file.
    pub fn from_file(file: &E5s1File<'_>) -> Result<Self, NluError> {
        let special = file.special_tokens();
        let control_ids = [special.begin, special.end, special.padding, special.unknown];
        let is_control =
            |id: usize, piece: &str| control_ids.contains(&(id as u32)) || piece == MASK_PIECE;
        let pieces = PieceTable::new(file.pieces(), is_control)?;
        let lowest_score = file.scores().iter().copied().fold(f32::INFINITY, f32::min);
        let unknown_score = if lowest_score.is_finite() {
            f64::from(lowest_score) - UNKNOWN_PENALTY
        } else {
            -UNKNOWN_PENALTY
        };
        Ok(Self {
            pieces,
            scores: file.scores().to_vec(),
            normalization: NormalizationMap::new(file.normalization()),
            special_tokens: special,
            unknown_score,
        })
    }

    /// The ids of `<s>`, `</s>`, `<pad>` and `<unk>`.
    pub fn special_tokens(&self) -> SpecialTokenIds {
        self.special_tokens
    }

    /// The number of pieces, which bounds every id this tokenizer returns.
    pub fn vocabulary_size(&self) -> usize {
        self.scores.len()
    }

    /// The piece with that id, if there is one.
    pub fn piece(&self, id: u32) -> Option<&str> {
        self.pieces.piece(id as usize)
    }

    /// The text as the model sees it: normalised, with spaces collapsed and trimmed, spaces turned into `▁` and
    /// one `▁` in front.
    pub fn normalize(&self, text: &str) -> String {
        let mut mapped = String::with_capacity(text.len() + 4);
        for character in text.chars() {
            match self.normalization.replacement(character) {
                Some(replacement) => mapped.push_str(replacement),
                None => mapped.push(character),
            }
        }
        let mut normalized = String::with_capacity(mapped.len() + 8);
        for word in mapped.split(' ').filter(|word| !word.is_empty()) {
            normalized.push(METASPACE);
            normalized.push_str(word);
        }
        if normalized.is_empty() {
            normalized.push(METASPACE);
        }
        normalized
    }

    /// The piece ids of the text, without `<s>` and `</s>` and without truncation.
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        let normalized = self.normalize(text);
        let mut ids = Vec::with_capacity(normalized.len() / 2 + 1);
        let mut word_start = 0;
        for (position, character) in normalized.char_indices().skip(1) {
            if character == METASPACE {
                self.segment_word(&normalized[word_start..position], &mut ids);
                word_start = position;
            }
        }
        self.segment_word(&normalized[word_start..], &mut ids);
        ids
    }

    /// The model input for the text: `<s>`, at most `max_tokens - 2` piece ids, `</s>`.
    ///
    /// `max_tokens` below 2 is treated as 2, which leaves only the two control pieces.
    pub fn encode(&self, text: &str, max_tokens: usize) -> Vec<u32> {
        let mut content = self.tokenize(text);
        content.truncate(max_tokens.saturating_sub(2));
        let mut ids = Vec::with_capacity(content.len() + 2);
        ids.push(self.special_tokens.begin);
        ids.extend(content);
        ids.push(self.special_tokens.end);
        ids
    }

    /// Appends the best-scoring segmentation of one word (which starts with `▁`) to `ids`.
    fn segment_word(&self, word: &str, ids: &mut Vec<u32>) {
        let boundaries: Vec<usize> = word
            .char_indices()
            .map(|(position, _)| position)
            .chain(std::iter::once(word.len()))
            .collect();
        let character_count = boundaries.len() - 1;
        // best[end] is the highest total score of a segmentation of the first `end` characters, and
        // choice[end] the last piece of it: where it starts and its id (None for an unknown character).
        let mut best = vec![f64::NEG_INFINITY; character_count + 1];
        let mut choice: Vec<(usize, Option<u32>)> = vec![(0, None); character_count + 1];
        best[0] = 0.0;
        for start in 0..character_count {
            let mut single_character_piece = false;
            for end in start + 1..=character_count {
                let length = boundaries[end] - boundaries[start];
                if length > self.pieces.longest_piece_bytes {
                    break;
                }
                if let Some(id) = self.pieces.find(&word[boundaries[start]..boundaries[end]]) {
                    single_character_piece |= end == start + 1;
                    let candidate = best[start] + f64::from(self.scores[id as usize]);
                    if candidate > best[end] {
                        best[end] = candidate;
                        choice[end] = (start, Some(id));
                    }
                }
            }
            if !single_character_piece {
                let candidate = best[start] + self.unknown_score;
                if candidate > best[start + 1] {
                    best[start + 1] = candidate;
                    choice[start + 1] = (start, None);
                }
            }
        }
        let mut reversed = Vec::new();
        let mut end = character_count;
        while end > 0 {
            let (start, id) = choice[end];
            let id = id.unwrap_or(self.special_tokens.unknown);
            let fuses_with_next = id == self.special_tokens.unknown
                && reversed.last() == Some(&self.special_tokens.unknown);
            if !fuses_with_next {
                reversed.push(id);
            }
            end = start;
        }
        ids.extend(reversed.into_iter().rev());
    }
}

/// The vocabulary as one string plus an open-addressing hash table from piece text to id.
#[derive(Clone)]
struct PieceTable {
    text: String,
    /// Piece `id` is `text[offsets[id]..offsets[id + 1]]`.
    offsets: Vec<u32>,
    /// Each slot holds `id + 1` of a matchable piece, or 0 when empty; the length is a power of two.
    slots: Vec<u32>,
    longest_piece_bytes: usize,
}

impl PieceTable {
    fn new(pieces: &[&str], is_control: impl Fn(usize, &str) -> bool) -> Result<Self, NluError> {
        let total_bytes: usize = pieces.iter().map(|piece| piece.len()).sum();
        if total_bytes > u32::MAX as usize {
            return Err(NluError::Model(
                "the vocabulary is larger than 4 GiB".to_owned(),
            ));
        }
        let mut text = String::with_capacity(total_bytes);
        let mut offsets = Vec::with_capacity(pieces.len() + 1);
        offsets.push(0);
        for piece in pieces {
            text.push_str(piece);
            offsets.push(text.len() as u32);
        }
        let slot_count = (pieces.len() * 2).max(2).next_power_of_two();
        let mut table = Self {
            text,
            offsets,
            slots: vec![0; slot_count],
            longest_piece_bytes: 0,
        };
        let mask = slot_count - 1;
        for (id, piece) in pieces.iter().enumerate() {
            // Empty pieces can never be matched and control pieces must not be.
            if piece.is_empty() || is_control(id, piece) {
                continue;
            }
            let mut slot = table.home_slot(piece);
            loop {
                let entry = table.slots[slot];
                if entry == 0 {
                    table.slots[slot] = id as u32 + 1;
                    table.longest_piece_bytes = table.longest_piece_bytes.max(piece.len());
                    break;
                }
                // A repeated piece keeps its first id.
                if table.piece(entry as usize - 1) == Some(*piece) {
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
        Ok(table)
    }

    fn piece(&self, id: usize) -> Option<&str> {
        let start = *self.offsets.get(id)? as usize;
        let end = *self.offsets.get(id + 1)? as usize;
        self.text.get(start..end)
    }

    fn find(&self, candidate: &str) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut slot = self.home_slot(candidate);
        loop {
            let entry = self.slots[slot];
            if entry == 0 {
                return None;
            }
            let id = entry - 1;
            if self.piece(id as usize) == Some(candidate) {
                return Some(id);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The first slot to probe for a piece: its 64-bit FNV-1a hash reduced to the table size.
    fn home_slot(&self, piece: &str) -> usize {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in piece.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        (hash as usize) & (self.slots.len() - 1)
    }
}

/// The per-character normalisation map, sorted by source character for binary search.
#[derive(Clone)]
struct NormalizationMap {
    sources: Vec<char>,
    /// Replacement `index` is `replacements[ends[index - 1]..ends[index]]` (from 0 for the first).
    ends: Vec<usize>,
    replacements: String,
}

impl NormalizationMap {
    fn new(entries: &[(char, String)]) -> Self {
        let mut sorted: Vec<&(char, String)> = entries.iter().collect();
        sorted.sort_by_key(|(source, _)| *source);
        let mut map = Self {
            sources: Vec::with_capacity(sorted.len()),
            ends: Vec::with_capacity(sorted.len()),
            replacements: String::new(),
        };
        for (source, replacement) in sorted {
            map.sources.push(*source);
            map.replacements.push_str(replacement);
            map.ends.push(map.replacements.len());
        }
        map
    }

    fn replacement(&self, character: char) -> Option<&str> {
        let index = self.sources.binary_search(&character).ok()?;
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        Some(&self.replacements[start..self.ends[index]])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoder::synthetic::SyntheticModel;

    fn synthetic_tokenizer() -> Tokenizer {
        let bytes = SyntheticModel::small(8).to_bytes();
        let file = E5s1File::parse(&bytes).expect("the synthetic file parses");
        Tokenizer::from_file(&file).expect("the tokenizer builds")
    }

    fn pieces_of(tokenizer: &Tokenizer, text: &str) -> Vec<String> {
        tokenizer
            .tokenize(text)
            .into_iter()
            .map(|id| tokenizer.piece(id).unwrap_or("?").to_owned())
            .collect()
    }

    #[test]
    fn normalisation_maps_characters_collapses_spaces_and_marks_words() {
        let tokenizer = synthetic_tokenizer();
        assert_eq!(tokenizer.normalize("ab c"), "▁ab▁c");
        // Full-width letters map to ASCII, tabs to spaces, U+0001 to nothing; spaces collapse and are trimmed.
        assert_eq!(
            tokenizer.normalize("  \u{FF21}\tb\u{1}  \u{3000}c  "),
            "▁A▁b▁c"
        );
        assert_eq!(tokenizer.normalize(""), "▁");
        assert_eq!(tokenizer.normalize("\u{1}"), "▁");
        // A metaspace typed by the customer is a space like any other.
        assert_eq!(tokenizer.normalize("a\u{2581}b"), "▁a▁b");
    }

    #[test]
    fn viterbi_picks_the_highest_scoring_segmentation() {
        let tokenizer = synthetic_tokenizer();
        // "▁ab" (-4.0) beats "▁a" + "b" (-5.5).
        assert_eq!(pieces_of(&tokenizer, "ab"), ["▁ab"]);
        // "▁c" is not a piece, so the word splits into "▁" and "c".
        assert_eq!(pieces_of(&tokenizer, "ab c"), ["▁ab", "▁", "c"]);
        // "还款" (-6.0) beats "还" + "款" (-8.0).
        assert_eq!(pieces_of(&tokenizer, "还款"), ["▁", "还款"]);
        assert_eq!(pieces_of(&tokenizer, "款还"), ["▁", "款", "还"]);
        assert_eq!(pieces_of(&tokenizer, "hello"), ["▁hello"]);
        assert_eq!(pieces_of(&tokenizer, "\u{FF21}"), ["▁", "A"]);
    }

    #[test]
    fn unknown_characters_become_one_unknown_piece_per_run() {
        let tokenizer = synthetic_tokenizer();
        let unknown = tokenizer.special_tokens().unknown;
        assert_eq!(tokenizer.tokenize("zz"), [4, unknown]);
        assert_eq!(tokenizer.tokenize("zzbz"), [4, unknown, 6, unknown]);
        // Control pieces are never matched: "<mask>" typed as text is unknown characters.
        assert_eq!(tokenizer.tokenize("<mask>"), [4, unknown]);
        assert_eq!(tokenizer.tokenize("<s>"), [4, unknown]);
    }

    #[test]
    fn encoding_wraps_in_control_pieces_and_truncates() {
        let tokenizer = synthetic_tokenizer();
        let special = tokenizer.special_tokens();
        let content = tokenizer.tokenize("ab c 还款");
        assert_eq!(content.len(), 5);
        let full = tokenizer.encode("ab c 还款", 512);
        assert_eq!(full.first(), Some(&special.begin));
        assert_eq!(full.last(), Some(&special.end));
        assert_eq!(&full[1..full.len() - 1], content.as_slice());
        let truncated = tokenizer.encode("ab c 还款", 4);
        assert_eq!(
            truncated,
            [special.begin, content[0], content[1], special.end]
        );
        assert_eq!(tokenizer.encode("ab", 0), [special.begin, special.end]);
    }

    #[test]
    fn piece_table_finds_every_matchable_piece_and_nothing_else() {
        let model = SyntheticModel::small(8);
        let tokenizer = synthetic_tokenizer();
        for (id, (piece, _)) in model.pieces.iter().enumerate() {
            let control = id < 4 || piece == MASK_PIECE;
            let found = tokenizer.pieces.find(piece);
            if control {
                assert_eq!(found, None, "{piece}");
            } else {
                assert_eq!(found, Some(id as u32), "{piece}");
            }
            assert_eq!(tokenizer.piece(id as u32), Some(piece.as_str()));
        }
        assert_eq!(tokenizer.pieces.find("▁abc"), None);
        assert_eq!(tokenizer.piece(model.pieces.len() as u32), None);
    }
}
