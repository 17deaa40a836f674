//! `policy-error`: a Rego policy failed on a file. Reported by [`crate::policy::evaluate`]; this
//! rule is its catalog entry.

use crate::rules::prelude::*;

pub struct PolicyError;

impl Rule for PolicyError {}
