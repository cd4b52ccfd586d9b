//! knowledge-graph
