//! What regorus only finds when a rule runs, found when the policies load: a call to a function
//! that nothing defines, and a name that is neither a rule nor a variable the rule binds.
//! regorus looks both up when the expression is evaluated, so such a policy loads and fails on
//! the files whose input reaches the expression (on none, when no input does). OPA rejects it
//! when it compiles it; so does plimsoll, with the file, line and column.
//!
//! A function resolves as regorus resolves it at run time: through the module's `import data.…`
//! aliases, then as a function of the module's package (or a `data.…` path), then as a built-in
//! (those this build of regorus has), `print`, or an extension plimsoll registers.
//!
//! A name is checked only where nothing could bind it: a name anywhere in a binding position of
//! its rule (`some`, either side of `=`, the left of `:=`, a `[…]` index, `in`, a function's
//! parameters, an output argument) counts as bound, whatever its scope. That misses some unsafe
//! variables OPA would reject, and never rejects a policy OPA accepts.

use regorus::unstable::{Expr, Literal, Module, Query, Ref, Rule, RuleHead};
use regorus::utils::{get_path_string, get_root_var};
use std::collections::HashSet;

/// One node to visit: the walks keep their own stack, so a deeply nested policy cannot exhaust
/// the thread's.
enum Node<'a> {
    Expr(&'a Expr),
    Query(&'a Query),
}

/// One problem, where it is.
struct Found {
    line: u32,
    col: u32,
    error: anyhow::Error,
}

/// The first undefined function or name in `modules` (in file order, then position), worded as
/// regorus words its errors (`--> path:line:col`, then `error: …`), so that it is reported like
/// a syntax error.
pub(crate) fn undefined_name(
    modules: &[Ref<Module>],
    extensions: &[&str],
) -> Option<anyhow::Error> {
    // A table that cannot be built (two arities for one function) is regorus's to report when
    // the policies are prepared: nothing to add here.
    let functions = regorus::utils::gather_functions(modules).ok()?;
    let arity = |path: &str| {
        functions
            .get(path)
            .map(|(_, n, _)| *n)
            .or_else(|| regorus::unstable::BUILTINS.get(path).map(|(_, n)| *n))
    };
    let mut known: HashSet<String> = functions.keys().cloned().collect();
    // Each package's rule names (all its files together), and the packages.
    let mut rules: HashSet<(String, String)> = HashSet::new();
    let mut packages: Vec<String> = Vec::new();
    for module in modules {
        let Ok(package) = get_path_string(&module.package.refr, Some("data")) else {
            continue;
        };
        for rule in &module.policy {
            let refr = match rule.as_ref() {
                Rule::Spec { head, .. } => match head {
                    RuleHead::Compr { refr, .. }
                    | RuleHead::Set { refr, .. }
                    | RuleHead::Func { refr, .. } => refr,
                },
                Rule::Default { refr, args, .. } => {
                    // `default f(_) := false` defines `f` too.
                    if !args.is_empty()
                        && let Ok(path) = get_path_string(refr, Some(&package))
                    {
                        known.insert(path);
                    }
                    refr
                }
            };
            if let Ok(root) = get_root_var(refr) {
                rules.insert((package.clone(), root.text().to_string()));
            }
        }
        packages.push(package);
    }
    for module in modules {
        let Ok(package) = get_path_string(&module.package.refr, Some("data")) else {
            continue;
        };
        // `import data.lib` makes `lib.f` mean `data.lib.f`; `import data.lib as l`, `l.f`.
        let imports: Vec<(String, String)> = module
            .imports
            .iter()
            .filter_map(|i| {
                let target = get_path_string(&i.refr, None).ok()?;
                let alias = match &i.r#as {
                    Some(alias) => alias.text().to_string(),
                    None => target.rsplit('.').next()?.to_string(),
                };
                Some((alias, target))
            })
            .collect();
        let defined_function = |path: &str| {
            let (root, rest) = path.split_once('.').unwrap_or((path, ""));
            let through_import = imports.iter().any(|(alias, target)| {
                alias == root
                    && known.contains(&if rest.is_empty() {
                        target.clone()
                    } else {
                        format!("{target}.{rest}")
                    })
            });
            through_import
                || if path.starts_with("data.") {
                    known.contains(path)
                } else {
                    known.contains(&format!("{package}.{path}"))
                }
                || regorus::unstable::BUILTINS.contains_key(path)
                || path == "print"
                || extensions.contains(&path)
        };
        // A name that is a rule of the package, an import, or the first step to a package
        // under this one.
        let subpackage = format!("{package}.");
        let global = |name: &str| {
            matches!(name, "_" | "input" | "data")
                || rules.contains(&(package.clone(), name.to_string()))
                || imports.iter().any(|(alias, _)| alias == name)
                || packages.iter().any(|p| {
                    p.strip_prefix(&subpackage)
                        .is_some_and(|rest| rest.split('.').next() == Some(name))
                })
        };
        let mut first: Option<Found> = None;
        for rule in &module.policy {
            let mut bound: HashSet<String> = HashSet::new();
            // What `some` and `every` bind (a second set: both walks' callbacks fill one).
            let mut declared: HashSet<String> = HashSet::new();
            let mut used: Vec<&regorus::unstable::Span> = Vec::new();
            let mut roots: Vec<Node<'_>> = Vec::new();
            match rule.as_ref() {
                Rule::Spec { head, bodies, .. } => {
                    match head {
                        // The rule's own name (and a `p[x]` key, bound by its body) is no use.
                        RuleHead::Compr { assign, .. } => {
                            roots.extend(assign.iter().map(|a| Node::Expr(&a.value)));
                        }
                        RuleHead::Set { key, .. } => {
                            roots.extend(key.iter().map(|k| Node::Expr(k)));
                        }
                        RuleHead::Func { args, assign, .. } => {
                            for a in args {
                                vars_in(a, &mut bound);
                            }
                            roots.extend(assign.iter().map(|a| Node::Expr(&a.value)));
                        }
                    }
                    for body in bodies {
                        roots.extend(body.assign.iter().map(|a| Node::Expr(&a.value)));
                        roots.push(Node::Query(&body.query));
                    }
                }
                Rule::Default { value, .. } => roots.push(Node::Expr(value)),
            }
            walk(
                roots,
                &mut |e| match e {
                    Expr::Var { span, .. } => used.push(span),
                    Expr::Call { fcn, params, .. } => {
                        let Ok(path) = get_path_string(fcn, None) else {
                            return;
                        };
                        if !defined_function(&path) {
                            // At the name (regorus's call span starts at the parenthesis).
                            let span = leftmost(fcn);
                            keep(
                                &mut first,
                                Found {
                                    line: span.line,
                                    col: span.col,
                                    error: span.error(&format!("undefined function {path}")),
                                },
                            );
                        }
                        // An output argument: `count(xs, n)` binds `n`.
                        let declared = arity(&path)
                            .or_else(|| arity(&format!("{package}.{path}")))
                            .map_or(usize::MAX, usize::from);
                        if params.len() > declared
                            && let Some(last) = params.last()
                        {
                            vars_in(last, &mut bound);
                        }
                    }
                    Expr::AssignExpr { lhs, rhs, op, .. } => {
                        vars_in(lhs, &mut bound);
                        // `=` unifies: either side may bind.
                        if matches!(op, regorus::unstable::AssignOp::Eq) {
                            vars_in(rhs, &mut bound);
                        }
                    }
                    Expr::RefBrack { index, .. } => vars_in(index, &mut bound),
                    Expr::Membership { key, value, .. } => {
                        if let Some(k) = key {
                            vars_in(k, &mut bound);
                        }
                        vars_in(value, &mut bound);
                    }
                    _ => {}
                },
                &mut |l| match l {
                    Literal::SomeVars { vars, .. } => {
                        declared.extend(vars.iter().map(|v| v.text().to_string()));
                    }
                    Literal::SomeIn { key, value, .. } => {
                        if let Some(k) = key {
                            vars_in(k, &mut declared);
                        }
                        vars_in(value, &mut declared);
                    }
                    Literal::Every { key, value, .. } => {
                        declared.extend(key.iter().map(|k| k.text().to_string()));
                        declared.insert(value.text().to_string());
                    }
                    _ => {}
                },
            );
            for span in used {
                let name = span.text();
                if !bound.contains(name) && !declared.contains(name) && !global(name) {
                    keep(
                        &mut first,
                        Found {
                            line: span.line,
                            col: span.col,
                            error: span.error(&format!(
                                "`{name}` is neither a rule nor a variable this rule binds"
                            )),
                        },
                    );
                }
            }
        }
        if let Some(found) = first {
            return Some(found.error);
        }
    }
    None
}

/// Where a reference starts (`lib` of `lib.f`: regorus's span of a `.` step starts at the dot).
fn leftmost(mut e: &Expr) -> &regorus::unstable::Span {
    while let Expr::RefDot { refr, .. } | Expr::RefBrack { refr, .. } = e {
        e = refr;
    }
    e.span()
}

/// Keeps the first problem in the file.
fn keep(first: &mut Option<Found>, found: Found) {
    if first
        .as_ref()
        .is_none_or(|f| (found.line, found.col) < (f.line, f.col))
    {
        *first = Some(found);
    }
}

/// Every variable name in `e`, into `out`.
fn vars_in(e: &Expr, out: &mut HashSet<String>) {
    walk(
        vec![Node::Expr(e)],
        &mut |e| {
            if let Expr::Var { span, .. } = e {
                out.insert(span.text().to_string());
            }
        },
        &mut |_| {},
    );
}

/// Calls `on_expr` on every expression under `roots` and `on_literal` on every statement:
/// comprehensions, `every` and `some … in` domains and `with` values included; the function a
/// call names and the target of a `with` are not expressions of the rule and are skipped.
fn walk<'a>(
    mut stack: Vec<Node<'a>>,
    on_expr: &mut dyn FnMut(&'a Expr),
    on_literal: &mut dyn FnMut(&'a Literal),
) {
    while let Some(node) = stack.pop() {
        match node {
            Node::Query(q) => {
                for stmt in &q.stmts {
                    on_literal(&stmt.literal);
                    match &stmt.literal {
                        Literal::SomeVars { .. } => {}
                        Literal::SomeIn {
                            key,
                            value,
                            collection,
                            ..
                        } => {
                            stack.extend(key.iter().map(|k| Node::Expr(k)));
                            stack.push(Node::Expr(value));
                            stack.push(Node::Expr(collection));
                        }
                        Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => {
                            stack.push(Node::Expr(expr));
                        }
                        Literal::Every { domain, query, .. } => {
                            stack.push(Node::Expr(domain));
                            stack.push(Node::Query(query));
                        }
                    }
                    for w in &stmt.with_mods {
                        stack.push(Node::Expr(&w.r#as));
                    }
                }
            }
            Node::Expr(e) => {
                on_expr(e);
                match e {
                    Expr::Array { items, .. } | Expr::Set { items, .. } => {
                        stack.extend(items.iter().map(|i| Node::Expr(i)));
                    }
                    Expr::Object { fields, .. } => {
                        for (_, k, v) in fields {
                            stack.push(Node::Expr(k));
                            stack.push(Node::Expr(v));
                        }
                    }
                    Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
                        stack.push(Node::Expr(term));
                        stack.push(Node::Query(query));
                    }
                    Expr::ObjectCompr {
                        key, value, query, ..
                    } => {
                        stack.push(Node::Expr(key));
                        stack.push(Node::Expr(value));
                        stack.push(Node::Query(query));
                    }
                    Expr::Call { params, .. } => {
                        stack.extend(params.iter().map(|p| Node::Expr(p)));
                    }
                    Expr::UnaryExpr { expr, .. } => stack.push(Node::Expr(expr)),
                    Expr::RefDot { refr, .. } => stack.push(Node::Expr(refr)),
                    Expr::RefBrack { refr, index, .. } => {
                        stack.push(Node::Expr(refr));
                        stack.push(Node::Expr(index));
                    }
                    Expr::BinExpr { lhs, rhs, .. }
                    | Expr::BoolExpr { lhs, rhs, .. }
                    | Expr::ArithExpr { lhs, rhs, .. }
                    | Expr::AssignExpr { lhs, rhs, .. } => {
                        stack.push(Node::Expr(lhs));
                        stack.push(Node::Expr(rhs));
                    }
                    Expr::Membership {
                        key,
                        value,
                        collection,
                        ..
                    } => {
                        stack.extend(key.iter().map(|k| Node::Expr(k)));
                        stack.push(Node::Expr(value));
                        stack.push(Node::Expr(collection));
                    }
                    // Literals and variables; an `or` expression exists only with a regorus
                    // feature plimsoll does not enable.
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The problem `undefined_name` finds in the modules, as `line:col: what`.
    fn check(modules: &[&str]) -> Option<String> {
        let mut engine = regorus::Engine::new();
        engine.set_rego_v0(false);
        for (i, m) in modules.iter().enumerate() {
            engine
                .add_policy(format!("m{i}.rego"), (*m).to_string())
                .expect("the test policy parses");
        }
        let e = undefined_name(engine.get_modules(), &["numbers.range"])?;
        let (at, what) = crate::policy::load::located(&e.to_string())?;
        Some(format!("{at}: {what}"))
    }

    #[test]
    fn what_rego_defines_is_accepted() {
        let lib = "package lib\n\nhelper(x) := sprintf(\"%v\", [x])\nflag := true\n";
        let policy = r#"package main

import data.lib
import data.lib as l2

local(x) := x
default dflt(_) := false
a.b.nested(x) := x

deny contains msg if {
	some i, instr in input.instructions
	msg := lib.helper(instr.cmd)
	l2.helper(i) != data.lib.helper(i)
	lib.flag
	print(msg)
	numbers.range(1, 2)
	local(1) == dflt(2)
	a.b.nested(3)
	count(input.stages, n)
	n > 0
	[p, q] = [1, 2]
	r = p + q
	input.images[j].site == "from"
	every k in [j] { k == r }
	xs := [y | some y in input.stages]
	count({z: 1 | z := xs[_].name}) > 0
	count(deny) > 0 with input as {}
}

test_local if local(1) == 1
"#;
        assert_eq!(check(&[lib, policy]), None);
    }

    #[test]
    fn an_undefined_function_or_name_is_found_at_its_first_place() {
        let body = |b: &str| {
            format!("package main\n\nimport data.lib\n\ndeny contains msg if {{\n{b}\n}}\n")
        };
        let lib = "package lib\n\nhelper(x) := x\n";
        for (b, expected) in [
            (
                "\tinput.never\n  msg := nope(1)",
                "m1.rego:7:10: undefined function nope",
            ),
            // Columns in characters: a tab is one.
            ("\tmsg := nope(1)", "m1.rego:6:9: undefined function nope"),
            (
                "  msg := lib.missing(1)",
                "m1.rego:6:10: undefined function lib.missing",
            ),
            (
                "  msg := data.main.nope(1)",
                "m1.rego:6:10: undefined function data.main.nope",
            ),
            // A rule is not a function.
            ("  msg := deny(1)", "m1.rego:6:10: undefined function deny"),
            (
                "  x := [y | y := no_rule]\n  msg := nope(x)",
                "m1.rego:6:18: `no_rule` is neither a rule nor a variable this rule binds",
            ),
            (
                "  msg := sprintf(\"%v\", [unbound])",
                "m1.rego:6:25: `unbound` is neither a rule nor a variable this rule binds",
            ),
        ] {
            assert_eq!(check(&[lib, &body(b)]).as_deref(), Some(expected), "{b}");
        }
    }
}
