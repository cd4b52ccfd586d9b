//! Re-ranking hits by sentence embeddings, for a caller that holds a sentence encoder.
//!
//! The encoder lives in the `nlu` crate, which this crate may not use, so the caller embeds the query and the matched
//! phrasing of each hit ([`Hit::matched_question`]) and passes the vectors in. The order then follows a blend of
//! the lexical confidence and the cosine similarity of the vectors. Each hit keeps its lexical confidence, which is
//! the calibrated one: the blend decides the order, the confidence still decides whether to answer at all.

use super::Hit;

/// How much the embeddings count when re-ranking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RerankOptions {
    /// The weight of cosine similarity in the blend, between 0 (lexical order kept) and 1 (embedding order alone).
    pub embedding_weight: f32,
}

impl Default for RerankOptions {
    fn default() -> RerankOptions {
        RerankOptions {
            embedding_weight: 0.5,
        }
    }
}

fn cosine(left: &[f32], right: &[f32]) -> Option<f32> {
    if left.len() != right.len() || left.is_empty() {
        return None;
    }
    let dot: f32 = left.iter().zip(right).map(|(a, b)| a * b).sum();
    let left_norm = left.iter().map(|a| a * a).sum::<f32>().sqrt();
    let right_norm = right.iter().map(|b| b * b).sum::<f32>().sqrt();
    (left_norm > 0.0 && right_norm > 0.0).then(|| dot / (left_norm * right_norm))
}

/// Reorders hits by a blend of confidence and the cosine similarity between `query_vector` and each hit's vector
/// (`candidate_vectors[i]` belongs to `hits[i]`). A hit without a usable vector (missing, empty, zero or of
/// another length) is blended as if its similarity were 0.
pub fn rerank(
    hits: Vec<Hit>,
    query_vector: &[f32],
    candidate_vectors: &[Vec<f32>],
    options: &RerankOptions,
) -> Vec<Hit> {
    let weight = options.embedding_weight.clamp(0.0, 1.0);
    let mut blended: Vec<(f32, usize, Hit)> = hits
        .into_iter()
        .enumerate()
        .map(|(position, hit)| {
            let similarity = candidate_vectors
                .get(position)
                .and_then(|vector| cosine(query_vector, vector))
                .unwrap_or(0.0)
                .max(0.0);
            let blend = (1.0 - weight) * hit.confidence + weight * similarity;
            (blend, position, hit)
        })
        .collect();
    blended.sort_by(|left, right| right.0.total_cmp(&left.0).then(left.1.cmp(&right.1)));
    blended.into_iter().map(|(_, _, hit)| hit).collect()
}
