//! `rego`: the findings of Rego policies. The engine evaluates the policies itself, after every
//! other rule (see [`crate::policy::evaluate`]): a policy's input carries the other rules'
//! findings, which no rule sees while they are being made. This rule is the catalog entry that
//! selects, grades and documents them.

use crate::rules::prelude::*;

pub struct Rego;

impl Rule for Rego {}
