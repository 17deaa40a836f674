//! `plimsoll policy test`: the `test_*` rules of the policies, as `opa test` runs them. A test
//! passes when its rule is true; it fails when it is false or undefined, and is an error when
//! its evaluation fails (a runtime error, or the time limit).

use super::load::{PolicyError, add_files, compile, new_engine, rego_files, rule_names};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
    Error(String),
}

/// One test's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestResult {
    /// `data.<package>.<rule>`.
    pub name: String,
    /// Where the rule is defined (`policy/images_test.rego:12`).
    pub location: String,
    pub outcome: Outcome,
}

/// Loads every `.rego` file under `paths` (policies and their tests together) and runs each
/// `test_*` rule, in package then rule order.
pub fn run(paths: &[PathBuf], time_limit: Duration) -> Result<Vec<TestResult>, PolicyError> {
    let files = rego_files(paths)?;
    let mut engine = new_engine(time_limit);
    add_files(&mut engine, &files, None)?;
    compile(&mut engine, &files, None)?;
    let mut tests: Vec<(String, String, String)> = rule_names(&mut engine)
        .into_iter()
        .filter(|(_, rule, _)| rule.starts_with("test_"))
        .collect();
    tests.sort();
    let mut out = Vec::new();
    for (package, rule, location) in tests {
        let name = format!("data.{package}.{rule}");
        let mut run = engine.clone();
        let outcome = match run.eval_rule(name.clone()) {
            Ok(v) if v == regorus::Value::from(true) => Outcome::Pass,
            Ok(_) => Outcome::Fail,
            Err(e) => Outcome::Error(e.to_string().trim_end().to_string()),
        };
        out.push(TestResult {
            name,
            location,
            outcome,
        });
    }
    Ok(out)
}
