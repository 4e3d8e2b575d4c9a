//! Table tests for each scheme, taken from the ecosystems' own test suites (sources cited
//! per table).

use std::cmp::Ordering::{self, Equal, Greater, Less};

use rampart_versions::{Scheme, compare};

fn check(scheme: Scheme, cases: &[(&str, Ordering, &str)]) {
    for (a, want, b) in cases {
        assert_eq!(compare(scheme, a, b), Some(*want), "{scheme:?}: {a} vs {b}");
        assert_eq!(compare(scheme, b, a), Some(want.reverse()), "{scheme:?}: {b} vs {a}");
    }
}

/// Every adjacent pair of `list` is strictly increasing (and so, by transitivity, the list).
fn ascending(scheme: Scheme, list: &[&str]) {
    for (i, a) in list.iter().enumerate() {
        for b in &list[i + 1..] {
            assert_eq!(compare(scheme, a, b), Some(Less), "{scheme:?}: {a} < {b}");
            assert_eq!(compare(scheme, b, a), Some(Greater), "{scheme:?}: {b} > {a}");
        }
    }
}

fn invalid(scheme: Scheme, list: &[&str]) {
    for v in list {
        assert_eq!(compare(scheme, v, "1"), None, "{scheme:?}: {v:?} should not parse");
        assert_eq!(compare(scheme, "1", v), None, "{scheme:?}: {v:?} should not parse");
    }
}

#[test]
fn debian() {
    // dpkg lib/dpkg/t/t-version.c (test_version_compare) and Debian Policy §5.6.12.
    check(
        Scheme::Debian,
        &[
            ("0:0-0", Equal, "0:0-0"),
            ("0:0-00", Equal, "0:0-0"),
            ("1:2-3", Equal, "1:2-3"),
            ("0:0-0", Less, "0:0-1"),
            ("0:0-0", Less, "1:0-0"),
            ("0:0-0", Less, "0:1-0"),
            ("0:0.0-0", Greater, "0:0-0"),
            ("0:0.1-0", Greater, "0:0-0"),
            ("1.0", Equal, "1.0-0"),
            ("1.0", Equal, "0:1.0"),
            ("1.0~rc1", Less, "1.0"),
            ("1.0~~", Less, "1.0~"),
            ("1.0~~a", Less, "1.0~"),
            ("1.0~", Less, "1.0"),
            ("1.0", Less, "1.0a"),
            ("1.0a", Less, "1.0+"),
            ("1.0+", Less, "1.0.1"),
            ("1.0a", Less, "1.0.1"),
            ("2.30-21", Less, "2.30-21+deb12u1"),
            ("1:1.0", Greater, "9.9"),
            ("1.2.3-1ubuntu1", Greater, "1.2.3-1"),
            ("7.88.1-10+deb12u5", Less, "7.88.1-10+deb12u12"),
            ("3.0.11-1~deb12u2", Less, "3.0.11-1"),
            ("99999999999999999999999", Less, "100000000000000000000000"),
        ],
    );
    invalid(Scheme::Debian, &["", "a:1.0", ":1.0", "1.0-", "1 0", "1.0-ü", "-1"]);
}

#[test]
fn alpine() {
    // apk-tools test/version.data (a selection; its two "invalid, do string sort" lines are
    // left out: invalid versions do not compare here).
    let data = "2.34 > 0.1.0_alpha
0.1.0_alpha = 0.1.0_alpha
0.1.0_alpha < 0.1.3_alpha
0.1.0_alpha2 > 0.1.0_alpha
0.1.0_alpha < 2.2.39-r1
1.0.4-r3 < 1.0.4-r4
1.1 > 1.1_alpha1
1.2.1 > 1.2
1.3_alpha2 < 1.3_alpha3
0.8_beta1 < 0.8_beta2
3.10.18-r1 > 2.3.0b-r1
2.3.0b-r1 < 2.3.0b-r2
0.12.3 > 0.12
0.12 < 0.13_beta1
3.1_p16 < 3.1_p17
1.06-r6 < 006
1.2.2-r1 > 1.2.2
3.9.8-r5 > 2.01.01_alpha10
1.0 > 0.99.3.20040818
1.00_beta2 > 0.9.2
20040401 > 2.0.0_rc3-r1
021109-r3 < 20060512
3.9_pre20060124 > 0.01
6b-r7 > 1.12-r7
0.10.0 < 0.10.1_rc1
2.0.2 > 1.1a
1.0-r1 > 0.15.1b
22.7 > 2.1_pre20
2.10.1 > 02.08.01b
3.81 > 1.6d
1.2.07.8 < 1.2.12.04
0.20070118 < 0.20070207_rc1
4.5_p1-r1 > 4.5_p1
0.9.8c-r1 < 0.9.8d
1.7 < 1.7b
1.8.5 < 1.8.5_p2
2.9.11_pre20051101-r3 > 2.9.11_pre20051101
0.9.28.1 < 087-r1
104-r11 > 104-r9
20040406-r1 > 2.12r-r4
7.0.17 < 7.0.174
1.3-r0 < 1.3.1-r0
1.3_pre1-r1 < 1.3.2
1.0_p10-r0 > 1.0_p9-r0
0.1.0_alpha_pre2 < 0.1.0_alpha
1.0.0_pre20191002222144-r0 < 1.0.0_pre20210530193627-r0";
    check(Scheme::Alpine, &apk_lines(data));
    // Suffix order and revisions (apk-tools version.c: pre_suffixes < none < post_suffixes).
    check(
        Scheme::Alpine,
        &[
            ("1.1_alpha", Less, "1.1_beta"),
            ("1.1_beta", Less, "1.1_pre"),
            ("1.1_pre", Less, "1.1_rc"),
            ("1.1_rc", Less, "1.1"),
            ("1.1", Less, "1.1_cvs"),
            ("1.1_cvs", Less, "1.1_svn"),
            ("1.1_svn", Less, "1.1_git"),
            ("1.1_git", Less, "1.1_hg"),
            ("1.1_hg", Less, "1.1_p"),
            ("1.0-r10", Greater, "1.0-r9"),
            ("1.01", Less, "1.1"),
            ("1.0", Greater, "1.00"),
            ("3.0.13-r0", Less, "3.0.15-r0"),
            ("1.36.1-r15", Less, "1.36.1-r29"),
            ("2.12.7-r0", Greater, "2.12.6-r0"),
            ("99999999999999999999999", Less, "100000000000000000000000"),
        ],
    );
    // apk's leading-zero rule makes a zero component followed by a suffix compare above
    // the bare version (apk-tools behaviour, kept so verdicts match apk's own).
    check(Scheme::Alpine, &[("1.0_rc1", Greater, "1.0")]);
    invalid(Scheme::Alpine, &["", "a1", "1.0_foo", "1.0A", "1.0-r1.2", "1.0bc", "23_foo", "1.0-x"]);
}

fn apk_lines(data: &str) -> Vec<(&str, Ordering, &str)> {
    data.lines()
        .map(|l| {
            let mut it = l.split_whitespace();
            let a = it.next().unwrap_or_default();
            let o = match it.next() {
                Some("<") => Less,
                Some(">") => Greater,
                _ => Equal,
            };
            (a, o, it.next().unwrap_or_default())
        })
        .collect()
}

#[test]
fn rpm() {
    // rpm tests/rpmvercmp.at (RPMVERCMP cases), and epoch handling from rpmVersionCompare.
    let cases: &[(&str, Ordering, &str)] = &[
        ("1.0", Equal, "1.0"),
        ("1.0", Less, "2.0"),
        ("2.0.1", Greater, "2.0"),
        ("2.0.1a", Greater, "2.0.1"),
        ("5.5p1", Equal, "5.5p1"),
        ("5.5p1", Less, "5.5p2"),
        ("5.5p10", Greater, "5.5p1"),
        ("10xyz", Less, "10.1xyz"),
        ("xyz10", Less, "xyz10.1"),
        ("xyz.4", Equal, "xyz.4"),
        ("xyz.4", Less, "8"),
        ("xyz.4", Less, "2"),
        ("5.5p2", Less, "5.6p1"),
        ("5.6p1", Less, "6.5p1"),
        ("6.0.rc1", Greater, "6.0"),
        ("10b2", Greater, "10a1"),
        ("1.0aa", Less, "1.0ab"),
        ("10.0001", Equal, "10.1"),
        ("10.0001", Less, "10.0039"),
        ("4.999.9", Less, "5.0"),
        ("20101121", Equal, "20101121"),
        ("20101121", Less, "20101122"),
        ("2_0", Equal, "2_0"),
        ("2.0", Equal, "2_0"),
        ("a", Equal, "a"),
        ("a+", Equal, "a+"),
        ("a+", Equal, "a_"),
        ("+a", Equal, "_a"),
        ("1.0~rc1", Equal, "1.0~rc1"),
        ("1.0~rc1", Less, "1.0"),
        ("1.0~rc1", Less, "1.0~rc2"),
        ("1.0~rc1~git123", Less, "1.0~rc1"),
        ("1.0^", Equal, "1.0^"),
        ("1.0^", Greater, "1.0"),
        ("1.0^git1", Greater, "1.0"),
        ("1.0^git1", Less, "1.01"),
        ("1.0^20160101", Less, "1.0.1"),
        ("1.0^20160101^git1", Greater, "1.0^20160101"),
        ("1.0~rc1^git1", Less, "1.0~rc1^git2"),
        ("1.0~rc1^git1", Greater, "1.0~rc1"),
        ("1.0^git1~pre", Less, "1.0^git1"),
        // EVR: epochs dominate, then version, then release.
        ("1:1.0-1", Greater, "2.0-1"),
        ("0:1.0-1", Equal, "1.0-1"),
        ("1.0-1.el9", Less, "1.0-2.el9"),
        ("3.0.7-27.el9", Less, "3.0.7-28.el9_4"),
        ("1.0-1", Greater, "1.0"),
    ];
    check(Scheme::Rpm, cases);
    invalid(Scheme::Rpm, &["", "a:1", "1.0-", "1 0", "1-2-3"]);
}

#[test]
fn pep440() {
    // The ordered example list of PEP 440 ("Summary of permitted suffixes and relative
    // ordering") as used by packaging's tests/test_version.py.
    ascending(
        Scheme::Pep440,
        &[
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
            "1!0.1",
        ],
    );
    // Normalisation (PEP 440 "Normalization" section; packaging's VERSIONS equalities).
    check(
        Scheme::Pep440,
        &[
            ("1.0.0", Equal, "1.0"),
            ("1.0", Equal, "1"),
            ("v1.0", Equal, "1.0"),
            ("V1.0", Equal, "1.0"),
            ("1.0a1", Equal, "1.0alpha1"),
            ("1.0a1", Equal, "1.0.a.1"),
            ("1.0a1", Equal, "1.0-a-1"),
            ("1.0b1", Equal, "1.0beta1"),
            ("1.0rc1", Equal, "1.0c1"),
            ("1.0rc1", Equal, "1.0pre1"),
            ("1.0rc1", Equal, "1.0preview1"),
            ("1.0a", Equal, "1.0a0"),
            ("1.0.post1", Equal, "1.0-1"),
            ("1.0.post1", Equal, "1.0post1"),
            ("1.0.post1", Equal, "1.0.rev1"),
            ("1.0.post1", Equal, "1.0-r1"),
            ("1.0.post0", Equal, "1.0.post"),
            ("1.0.dev0", Equal, "1.0.dev"),
            ("1.0.dev0", Equal, "1.0-dev"),
            ("1.0+ubuntu-1", Equal, "1.0+ubuntu.1"),
            ("1.0+ABC", Equal, "1.0+abc"),
            ("  1.0  ", Equal, "1.0"),
            ("0!1.0", Equal, "1.0"),
            ("2.19.0", Less, "2.20.0"),
            ("2.10", Less, "2.10.1"),
            ("1.24.1", Less, "1.24.2"),
            ("5.3", Less, "5.4"),
            ("5.3", Greater, "5.3b1"),
            ("1.0.dev1", Less, "1.0a1.dev1"),
        ],
    );
    invalid(Scheme::Pep440, &["", "1.0+", "1.0+a..b", "french toast", "1.0.x", "1.0-", "1.0-dev1-2", "1.0 1"]);
}

#[test]
fn semver() {
    // semver.org §11 precedence example list.
    ascending(
        Scheme::Semver,
        &[
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ],
    );
    check(
        Scheme::Semver,
        &[
            ("1.0.0+build.1", Equal, "1.0.0+build.2"),
            ("1.0.0-alpha+001", Equal, "1.0.0-alpha"),
            ("v1.2.3", Equal, "1.2.3"),
            ("4.17.4", Less, "4.17.21"),
            ("1.2.0", Less, "1.2.6"),
            // NuGet four-part versions.
            ("4.3.1", Equal, "4.3.1.0"),
            ("4.3.1", Less, "4.3.1.1"),
            ("18446744073709551616.0.0", Greater, "18446744073709551615.0.0"),
        ],
    );
    invalid(Scheme::Semver, &["", "1.0.0-", "1.0.0-a..b", "1.0.0+", "a.b.c", "1.0.0.0.0", "1.0.x", "1.0.0-ü"]);
}

#[test]
fn go() {
    // golang.org/x/mod/semver tests and module pseudo-version rules
    // (https://go.dev/ref/mod#pseudo-versions).
    ascending(
        Scheme::Go,
        &[
            "v0.0.0-20191109021931-daa7c04131f5",
            "v0.0.0-20200101000000-aaaaaaaaaaaa",
            "v0.1.0",
            "v1.2.3-pre",
            "v1.2.3-pre.0.20200101000000-abcdefabcdef",
            "v1.2.3",
            "v1.2.4-0.20191109021931-daa7c04131f5",
            "v1.2.4",
            "v2.0.0+incompatible",
            "v2.0.1",
        ],
    );
    check(
        Scheme::Go,
        &[
            ("v2.0.0+incompatible", Equal, "v2.0.0"),
            ("v1.2.3", Equal, "1.2.3"),
            ("go1.21.5", Equal, "1.21.5"),
            ("go1.21", Equal, "1.21.0"),
            ("go1.21rc2", Less, "go1.21.0"),
            ("go1.21rc2", Equal, "1.21.0-rc.2"),
            ("go1.20.14", Less, "go1.21rc1"),
        ],
    );
    invalid(Scheme::Go, &["", "v1", "v1.2", "1.2.3.4", "go1", "gox", "v1.2.3-"]);
}

#[test]
fn maven() {
    // maven-artifact ComparableVersionTest: VERSIONS_QUALIFIER, VERSIONS_NUMBER and
    // testVersionsEqual (Maven 3.x).
    ascending(
        Scheme::Maven,
        &[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ],
    );
    ascending(
        Scheme::Maven,
        &[
            "2.0", "2-1", "2.0.a", "2.0.0.a", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
            "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11", "11.a", "11b",
            "11c", "11m",
        ],
    );
    let eq = [
        ("1", "1"),
        ("1", "1.0"),
        ("1", "1.0.0"),
        ("1.0", "1.0.0"),
        ("1", "1-0"),
        ("1", "1.0-0"),
        ("1.0", "1.0-0"),
        ("1a", "1-a"),
        ("1a", "1.0-a"),
        ("1a", "1.0.0-a"),
        ("1.0a", "1-a"),
        ("1.0.0a", "1-a"),
        ("1x", "1-x"),
        ("1x", "1.0-x"),
        ("1x", "1.0.0-x"),
        ("1.0x", "1-x"),
        ("1.0.0x", "1-x"),
        ("1ga", "1"),
        ("1release", "1"),
        ("1final", "1"),
        ("1cr", "1rc"),
        ("1a1", "1-alpha-1"),
        ("1b2", "1-beta-2"),
        ("1m3", "1-milestone-3"),
        ("1X", "1x"),
        ("1A", "1a"),
        ("1B", "1b"),
        ("1M", "1m"),
        ("1Ga", "1"),
        ("1GA", "1"),
        ("1RELEASE", "1"),
        ("1FINAL", "1"),
        ("1Cr", "1Rc"),
        ("1cR", "1rC"),
        ("1m3", "1Milestone3"),
        ("1m3", "1MileStone3"),
        ("1m3", "1MILESTONE3"),
    ];
    let eq: Vec<_> = eq.iter().map(|&(a, b)| (a, Equal, b)).collect();
    check(Scheme::Maven, &eq);
    check(
        Scheme::Maven,
        &[
            ("2.17.0", Greater, "2.16.0"),
            ("2.15.0-rc2", Less, "2.15.0"),
            ("5.3.18", Less, "5.3.20"),
            ("1.2.3.Final", Equal, "1.2.3"),
            ("9999999999999999999999.0", Greater, "1.0"),
        ],
    );
    invalid(Scheme::Maven, &["", "1 0"]);
}

#[test]
fn rubygems() {
    // rubygems test/rubygems/test_gem_version.rb (test_spaceship, test_prerelease).
    check(
        Scheme::RubyGems,
        &[
            ("1.0", Equal, "1.0.0"),
            ("1.0", Greater, "1.0.a"),
            ("1.8.2", Greater, "0.0.0"),
            ("1.8.2", Greater, "1.8.2.a"),
            ("1.8.2.b", Greater, "1.8.2.a"),
            ("1.8.2.a", Less, "1.8.2"),
            ("1.8.2.a10", Greater, "1.8.2.a9"),
            ("0.beta.1", Equal, "0.0.beta.1"),
            ("0.0.beta", Less, "0.0.beta.1"),
            ("0.0.beta", Less, "0.beta.1"),
            ("5.a", Less, "5.0.0.rc2"),
            ("5.x", Greater, "5.0.0.rc2"),
            ("1.0-1", Less, "1.0"),
            ("1.0-1", Equal, "1.0.pre.1"),
            (" 1.0 ", Equal, "1.0"),
            ("6.0.3.1", Greater, "6.0.3"),
            ("7.0.0.rc1", Less, "7.0.0"),
        ],
    );
    invalid(Scheme::RubyGems, &["", "junk", "1.0\n2.0", "1..2", "a1", "1.0-", "1.0.ü"]);
}

#[test]
fn packagist() {
    // composer/semver tests (VersionParserTest::successfulNormalizedVersions,
    // ComparatorTest) and PHP version_compare's stability order.
    ascending(
        Scheme::Packagist,
        &[
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-alpha2",
            "1.0.0-beta1",
            "1.0.0-RC1",
            "1.0.0",
            "1.0.0-patch1",
            "1.0.1",
            "1.1.0",
            "2.0.0",
        ],
    );
    check(
        Scheme::Packagist,
        &[
            ("1.0.0", Equal, "1.0"),
            ("1.0.0", Equal, "v1.0.0"),
            ("1.0.0", Equal, "1.0.0.0"),
            ("1.0.0+build5", Equal, "1.0.0"),
            ("1.0.0-a1", Equal, "1.0.0-alpha1"),
            ("1.0.0-b1", Equal, "1.0.0-beta1"),
            ("1.0.0-rc1", Equal, "1.0.0-RC1"),
            ("1.0.0-pl1", Equal, "1.0.0-patch1"),
            ("1.0.0-p1", Equal, "1.0.0-patch1"),
            ("1.0.0-stable", Equal, "1.0.0"),
            ("1.0.0-beta.5", Equal, "1.0.0-beta5"),
            ("1.0.0beta1", Equal, "1.0.0-beta1"),
            ("1.0.0-beta1-dev", Less, "1.0.0-beta1"),
            ("5.4.47", Less, "5.4.48"),
            ("10.0.0", Greater, "9.9.9"),
        ],
    );
    invalid(Scheme::Packagist, &["", "dev-main", "dev-master", "1.0.0-foo", "abc"]);
}

#[test]
fn generic() {
    check(Scheme::Generic, &[("1.2.10", Greater, "1.2.9"), ("1.0", Equal, "1"), ("abc", Equal, "abc")]);
    assert_eq!(compare(Scheme::Generic, "1.0a", "1.0b"), None);
    assert_eq!(compare(Scheme::Generic, "1.0", "1.0a"), None);
}
