//! The dialog engine.

use crate::{Action, DialogState, Input};

/// The dialog manager with its bundled bilingual reply templates.
#[derive(Debug, Default)]
pub struct Dialog {}

impl Dialog {
    pub fn new() -> Self {
        Self {}
    }

    /// Reacts to `input`, updating `state`, and returns what to do in order.
    pub fn handle(&self, state: &mut DialogState, input: Input) -> Vec<Action> {
        let _ = (state, input);
        Vec::new()
    }
}
