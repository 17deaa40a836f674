//! dclint's rules, by the names dclint gives them: each is an alias of the plimsoll rule (or
//! rules) that checks the same thing. `.dclintrc` levels and `# dclint disable …` comments name
//! rules this way, and a comment that names none stands for all of these.

/// The 15 rules of dclint 3.
pub const RULE_NAMES: [&str; 15] = [
    "no-build-and-image",
    "no-duplicate-container-names",
    "no-duplicate-exported-ports",
    "no-quotes-in-volumes",
    "no-unbound-port-interfaces",
    "no-version-field",
    "require-project-name-field",
    "require-quotes-in-ports",
    "service-container-name-regex",
    "service-dependencies-alphabetical-order",
    "service-image-require-explicit-tag",
    "service-keys-order",
    "service-ports-alphabetical-order",
    "services-alphabetical-order",
    "top-level-properties-order",
];

/// The plimsoll rules dclint's `name` stands for (empty when it is not one of dclint's).
pub fn rules_of(name: &str) -> Vec<&'static super::RuleMeta> {
    if !RULE_NAMES.contains(&name) {
        return Vec::new();
    }
    super::all()
        .iter()
        .filter(|r| r.aliases.contains(&name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dclint_rule_is_an_alias() {
        for name in RULE_NAMES {
            let rules = rules_of(name);
            assert!(!rules.is_empty(), "{name} is no plimsoll rule's alias");
            assert!(
                rules
                    .iter()
                    .all(|r| r.applies_to(crate::source::FileKind::Compose)),
                "{name}"
            );
        }
        assert_eq!(rules_of("service-image-require-explicit-tag").len(), 2);
        assert!(rules_of("latest-tag").is_empty());
    }
}
