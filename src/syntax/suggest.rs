//! BuildKit's "did you mean" (its `suggest.Search`): the first candidate at a Levenshtein
//! distance below 3 from the word, a nearer one replacing it, and nothing when some candidate
//! equals the word (then the word was not the problem). Reproduced exactly so that plimsoll
//! suggests what `docker build` suggests; the rule catalog's own "did you mean" for selectors
//! weighs transpositions and lengths differently, for typed rule names.

/// The suggestion for `word` among `candidates`, compared as BuildKit compares them. With
/// `case_sensitive` false the comparison ignores case and the answer takes the word's case
/// when the word is all lower or all upper case.
pub fn suggest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
    case_sensitive: bool,
) -> Option<String> {
    let val = if case_sensitive {
        word.to_string()
    } else {
        word.to_lowercase()
    };
    let mut best: Option<String> = None;
    let mut min = 3;
    for c in candidates {
        let opt = if case_sensitive {
            c.to_string()
        } else {
            c.to_lowercase()
        };
        if opt == val {
            return None;
        }
        let d = levenshtein(&val, &opt);
        if d < min {
            min = d;
            best = Some(if case_sensitive {
                opt
            } else {
                match_case(&opt, word)
            });
        }
    }
    best
}

fn match_case(val: &str, orig: &str) -> String {
    if orig == orig.to_lowercase() {
        val.to_lowercase()
    } else if orig == orig.to_uppercase() {
        val.to_uppercase()
    } else {
        val.to_string()
    }
}

/// Levenshtein distance over characters (insertions, deletions and substitutions cost 1).
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j + 1] + 1).min(cur[j] + 1).min(prev[j] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_as_buildkit_does() {
        assert_eq!(
            suggest("BULIDPLATFORM", ["TARGETPLATFORM", "BUILDPLATFORM"], true),
            Some("BUILDPLATFORM".to_string())
        );
        assert_eq!(
            suggest("MYARCH", ["MY_OS", "MY_ARCH"], true),
            Some("MY_ARCH".to_string())
        );
        assert_eq!(suggest("version", ["tag", "TARGETOS"], true), None);
        // An exact candidate means the word is fine.
        assert_eq!(suggest("foo", ["fo", "foo"], true), None);
        // Case-insensitive, answering in the word's case.
        assert_eq!(
            suggest("FORM", ["RUN", "FROM"], false),
            Some("FROM".to_string())
        );
        assert_eq!(
            suggest("form", ["RUN", "FROM"], false),
            Some("from".to_string())
        );
        // The first candidate at the smallest distance wins.
        assert_eq!(suggest("ab", ["xb", "ax"], true), Some("xb".to_string()));
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("ab", "ba"), 2);
    }
}
