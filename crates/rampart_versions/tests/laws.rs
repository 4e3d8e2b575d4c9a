//! Property tests: every scheme's `compare` is a total order on the versions it parses
//! (reflexive, antisymmetric, transitive) and never panics on arbitrary strings.

use std::cmp::Ordering;

use proptest::prelude::*;
use rampart_versions::{Event, Range, RangeKind, Scheme, compare, cvss, fixed_in, is_affected};

const SCHEMES: [Scheme; 10] = [
    Scheme::Debian,
    Scheme::Alpine,
    Scheme::Rpm,
    Scheme::Pep440,
    Scheme::Semver,
    Scheme::Go,
    Scheme::Maven,
    Scheme::RubyGems,
    Scheme::Packagist,
    Scheme::Generic,
];

/// Version-like strings: digits, a few letters, the separators every scheme uses, and the
/// words that carry meaning (pre-release and stability markers).
fn version() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        "[0-9]{1,3}",
        Just("0".to_string()),
        "[a-c]",
        Just("alpha".to_string()),
        Just("rc".to_string()),
        Just("dev".to_string()),
        Just("post".to_string()),
        Just("p".to_string()),
        Just("sp".to_string()),
        Just("pre".to_string()),
        Just("v".to_string()),
        Just("go".to_string()),
        Just("snapshot".to_string()),
        Just("patch".to_string()),
    ];
    let sep = prop_oneof![
        Just(""),
        Just("."),
        Just("-"),
        Just("_"),
        Just("~"),
        Just("+"),
        Just(":"),
        Just("^"),
        Just("-r"),
        Just("!"),
    ];
    ("[0-9]{1,2}", prop::collection::vec((sep, atom), 0..6)).prop_map(|(head, rest)| {
        let mut s = head;
        for (sep, atom) in rest {
            s.push_str(sep);
            s.push_str(&atom);
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn ordering_laws(a in version(), b in version(), c in version()) {
        for s in SCHEMES {
            if let Some(o) = compare(s, &a, &a) {
                prop_assert_eq!(o, Ordering::Equal, "{:?} reflexive {}", s, a);
            }
            let ab = compare(s, &a, &b);
            let ba = compare(s, &b, &a);
            prop_assert_eq!(ab, ba.map(Ordering::reverse), "{:?} antisymmetric {} {}", s, a, b);
            let bc = compare(s, &b, &c);
            let ac = compare(s, &a, &c);
            if let (Some(x), Some(y), Some(z)) = (ab, bc, ac) {
                if x != Ordering::Greater && y != Ordering::Greater {
                    prop_assert!(z != Ordering::Greater, "{:?} transitive {} <= {} <= {}", s, a, b, c);
                }
                if x == Ordering::Equal && y == Ordering::Equal {
                    prop_assert_eq!(z, Ordering::Equal, "{:?} equal transitive {} {} {}", s, a, b, c);
                }
                if x == Ordering::Less && y != Ordering::Greater {
                    prop_assert_eq!(z, Ordering::Less, "{:?} strict transitive {} {} {}", s, a, b, c);
                }
            }
        }
    }

    #[test]
    fn never_panics(a in any::<String>(), b in "\\PC{0,30}") {
        for s in SCHEMES {
            let _ = compare(s, &a, &b);
            let r = [Range { kind: RangeKind::Ecosystem, events: vec![
                Event::Introduced(a.clone()), Event::Fixed(b.clone()), Event::Limit(a.clone()),
                Event::LastAffected(b.clone()),
            ] }];
            let _ = is_affected(s, &a, &r, std::slice::from_ref(&b));
            let _ = fixed_in(s, &b, &r);
        }
        let _ = cvss::score(&a);
        let _ = cvss::score(&format!("CVSS:3.1/{b}"));
        let _ = cvss::score(&format!("CVSS:4.0/{b}"));
        let _ = cvss::parse_rating(&a);
    }

    #[test]
    fn osv_ranges_never_panic(v in version(), events in prop::collection::vec((0u8..4, version()), 0..6)) {
        let events: Vec<Event> = events.into_iter().map(|(k, s)| match k {
            0 => Event::Introduced(s),
            1 => Event::Fixed(s),
            2 => Event::LastAffected(s),
            _ => Event::Limit(s),
        }).collect();
        for s in SCHEMES {
            let r = [Range { kind: RangeKind::Ecosystem, events: events.clone() }];
            let _ = is_affected(s, &v, &r, &[]);
            let _ = fixed_in(s, &v, &r);
        }
    }
}
