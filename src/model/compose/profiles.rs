//! Compose profiles: which services `docker compose --profile NAME` (or `COMPOSE_PROFILES`)
//! would start.
//!
//! As compose-spec's "profiles" page says and compose does: a service with no `profiles:` is
//! always enabled; a service with profiles is enabled when one of them is active (`*` activates
//! every profile). A `depends_on` on a disabled service does not enable it: compose refuses such
//! a project rather than start the dependency, so plimsoll does not enable it either.
//!
//! Without any active profile plimsoll lints every service (a linter judges the whole file, and
//! a profile's services are deployed somewhere); only `--profile`/`COMPOSE_PROFILES` restrict
//! it, and then to exactly the services compose would start.

/// The active profiles: the `--profile` flags when there are any, else `COMPOSE_PROFILES`
/// (comma-separated, empty items skipped), as the compose command line reads them. `None` when
/// neither names one: every service is linted.
pub fn active(flags: &[String], compose_profiles: Option<&str>) -> Option<Vec<String>> {
    if !flags.is_empty() {
        return Some(flags.to_vec());
    }
    let list: Vec<String> = compose_profiles?
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    (!list.is_empty()).then_some(list)
}

/// Whether a service with `profiles` is enabled when `active` are.
pub fn enabled<S: AsRef<str>>(profiles: &[S], active: &[String]) -> bool {
    profiles.is_empty()
        || active
            .iter()
            .any(|a| a == "*" || profiles.iter().any(|p| p.as_ref() == a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_win_over_the_environment() {
        assert_eq!(active(&v(&["debug"]), Some("test")), Some(v(&["debug"])));
        assert_eq!(active(&[], Some("a, b,,")), Some(v(&["a", "b"])));
        assert_eq!(active(&[], Some(" , ")), None);
        assert_eq!(active(&[], None), None);
    }

    #[test]
    fn a_service_without_profiles_is_always_enabled() {
        let none: [&str; 0] = [];
        assert!(enabled(&none, &v(&["debug"])));
        assert!(enabled(&["debug"], &v(&["debug"])));
        assert!(!enabled(&["test"], &v(&["debug"])));
        assert!(enabled(&["test"], &v(&["*"])));
        assert!(enabled(&["a", "b"], &v(&["x", "b"])));
    }
}
