//! BuildKit's own expansion tables (`conformance/buildkit-shell`): `envVarTest` through
//! `expand_word`, `wordsTest` through `expand_words`. Every applicable line must pass.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failed step should panic with its message

mod support;

use plimsoll::syntax::expand::Expander;

#[test]
fn env_var_test() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let path = shared.join("conformance/buildkit-shell/envVarTest");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipping: {} is absent", path.display());
        return;
    };
    let env: Vec<(String, String)> = [
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let ex = Expander::new(&env);
    let (mut passed, mut failures) = (0, Vec::new());
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split('|').collect();
        assert_eq!(parts.len(), 3, "line {}: {line:?}", n + 1);
        let (platform, input, expected) = (parts[0].trim(), parts[1].trim(), parts[2].trim());
        if platform == "W" {
            continue;
        }
        let got = ex.expand_word(input);
        let ok = match (&got, expected) {
            (Err(_), "error") => true,
            (Ok(v), e) => e != "error" && v == e,
            _ => false,
        };
        if ok {
            passed += 1;
        } else {
            failures.push(format!(
                "line {}: {input:?} expected {expected:?}, got {got:?}",
                n + 1
            ));
        }
    }
    println!("envVarTest: {passed} passed, {} failed", failures.len());
    assert!(passed > 100, "too few cases read: {passed}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn words_test() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let path = shared.join("conformance/buildkit-shell/wordsTest");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipping: {} is absent", path.display());
        return;
    };
    let mut env: Vec<(String, String)> = Vec::new();
    let (mut passed, mut failures) = (0, Vec::new());
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        // As in BuildKit's test: ENV values keep trailing spaces; only leading ones go.
        if let Some(def) = line.strip_prefix("ENV ") {
            let def = def.trim_start_matches(' ');
            let (k, v) = def.split_once('=').unwrap_or((def, ""));
            env.push((k.to_string(), v.to_string()));
            continue;
        }
        let parts: Vec<&str> = line.split('|').collect();
        assert_eq!(parts.len(), 2, "line {}: {line:?}", n + 1);
        let input = parts[0].trim();
        let expected: Vec<&str> = parts[1].trim_start_matches(' ').split(',').collect();
        let got = match Expander::new(&env).expand_words(input) {
            Ok(words) => words,
            Err(_) => vec!["error".to_string()],
        };
        if got == expected {
            passed += 1;
        } else {
            failures.push(format!(
                "line {}: {input:?} expected {expected:?}, got {got:?}",
                n + 1
            ));
        }
    }
    println!("wordsTest: {passed} passed, {} failed", failures.len());
    assert!(passed > 20, "too few cases read: {passed}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
