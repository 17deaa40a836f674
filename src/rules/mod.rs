//! Rules: the catalog, the engine that runs every rule over every parsed file, and the rules.

pub mod secret;
pub mod settings;
