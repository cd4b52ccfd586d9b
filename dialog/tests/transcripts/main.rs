//! Whole conversations with the dialog manager, written as transcripts and checked as a whole, plus a sweep over
//! every intent of the spec in both languages.

mod conversations;
mod every_intent;
mod fixtures;
mod flows;
mod harness;
mod knowledge;
