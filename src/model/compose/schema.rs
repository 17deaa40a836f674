//! The project's own model of the Compose Specification (work in progress).
