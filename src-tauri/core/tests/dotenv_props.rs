//! Property tests of the `.env` codec through its public API: the parser never panics on any
//! bytes, and whatever the writer writes the parser reads back exactly (values, keys, order).

use hush_core::envfile;
use hush_core::SecretValue;
use proptest::prelude::*;

/// Text biased towards the characters `.env` readers treat specially.
fn tricky_string() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        "'", "\"", "\\", "#", " #", "$", "${A}", "=", " ", "\t", "\n", "\r", "\r\n", "`",
        "export ", "\u{a0}", "\u{1c}", "\u{feff}", "é", "😀", "\\n", "\\'", "\\\"",
    ]);
    prop::collection::vec(prop_oneof![3 => "[a-zA-Z0-9_]{1,3}", 2 => special.prop_map(String::from), 1 => any::<char>().prop_map(String::from)], 0..24)
        .prop_map(|parts| parts.concat())
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z_][A-Za-z0-9_]{0,12}",
        1 => "[a-z][a-z0-9.-]{0,8}",
        1 => "[a-z]{1,4} [a-z]{1,4}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn parser_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let f = envfile::parse(&bytes);
        for e in &f.errors {
            prop_assert!(e.line >= 1);
        }
    }

    #[test]
    fn parser_never_panics_on_tricky_text(s in tricky_string()) {
        let f = envfile::parse(s.as_bytes());
        let lines = 1 + s.matches('\n').count() + s.matches('\r').count();
        for e in f.errors.iter().map(|e| e.line).chain(f.entries.iter().map(|e| e.line)) {
            prop_assert!(e >= 1 && e <= lines, "line {} of {}", e, lines);
        }
    }

    #[test]
    fn writer_output_parses_back_exactly(pairs in prop::collection::vec((key(), tricky_string()), 0..12)) {
        // Last one wins for duplicate names, as in a file; keep the first of each to compare.
        let mut seen = std::collections::HashSet::new();
        let pairs: Vec<(String, SecretValue)> = pairs.into_iter().filter(|(k, _)| seen.insert(k.clone()))
            .map(|(k, v)| (k, SecretValue::from_string(v))).collect();
        let items: Vec<(&str, &SecretValue)> = pairs.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let r = envfile::render(&items, None).expect("every generated key is representable");
        let f = envfile::parse(r.body.expose());
        prop_assert!(f.errors.is_empty(), "{:?} in {:?}", f.errors, r.body.expose_str());
        let got: Vec<(&str, &str)> = f.entries.iter().map(|e| (e.key.as_str(), e.value.as_ref().unwrap().expose_str())).collect();
        let want: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.expose_str())).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn rewriting_a_parsed_file_keeps_its_values(s in tricky_string(), extra in tricky_string()) {
        // Whatever a file holds, writing it back through its own layout reads back the same.
        let src = format!("# head\nA={s}\nexport B='x'\n{extra}\nC=1\n");
        let f = envfile::parse(src.as_bytes());
        let items: Vec<(&str, &SecretValue)> = f.entries.iter().filter_map(|e| e.value.as_ref().map(|v| (e.key.as_str(), v))).collect();
        let mut last = std::collections::HashMap::new();
        for (k, v) in &items {
            last.insert(*k, v.expose_str());
        }
        let dedup: Vec<(&str, &SecretValue)> = items.iter().filter(|(k, v)| last[k] == v.expose_str()).cloned().collect();
        let Ok(r) = envfile::render(&dedup, Some(&f.layout)) else { return Ok(()) };
        let back = envfile::parse(r.body.expose());
        prop_assert!(back.errors.is_empty(), "{:?} in {:?}", back.errors, r.body.expose_str());
        for e in &back.entries {
            prop_assert_eq!(Some(&e.value.as_ref().unwrap().expose_str()), last.get(e.key.as_str()));
        }
    }
}
