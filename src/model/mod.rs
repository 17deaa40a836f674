//! The model rules ask about: Dockerfile stages (base image, user, ARG/ENV scopes) and compose
//! services, built from the syntax trees.

pub mod build_inputs;
pub mod compose;
pub mod dockerfile;
