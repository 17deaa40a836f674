//! Short syntaxes (work in progress).
