//! Kubernetes resource quantities (`100m`, `0.5`, `128Mi`, `1e3`, `2G`), read exactly.
//!
//! The grammar is Kubernetes's (`k8s.io/apimachinery/pkg/api/resource`): a signed decimal
//! number, then a binary suffix (`Ki` … `Ei`), a decimal suffix (`m`, `k`, `M` … `E`) or a
//! decimal exponent (`e3`, `E-2`). The value is kept as an exact fraction so that memory can
//! be converted to bytes for the formats that want bytes (Compose, OCI) without rounding.

use std::cmp::Ordering;
use std::fmt;

/// A parsed quantity: `numerator / 10^scale`, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quantity {
    text: String,
    /// The value times `10^scale`, exactly.
    numerator: u128,
    scale: u32,
    negative: bool,
}

/// Digits accepted before the quantity is refused as absurd (it keeps the arithmetic exact).
const MAX_DIGITS: usize = 18;

fn pow10(n: u32) -> Option<u128> {
    10u128.checked_pow(n)
}

impl Quantity {
    /// Parses a quantity as Kubernetes writes it; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Quantity, String> {
        let s = text.trim();
        if s.is_empty() {
            return Err("an empty quantity".into());
        }
        let (negative, rest) = match s.as_bytes()[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let (number, suffix) = rest.split_at(number_len);
        let (int, frac) = number.split_once('.').unwrap_or((number, ""));
        if (int.is_empty() && frac.is_empty()) || frac.contains('.') {
            return Err(format!("`{s}` does not start with a number"));
        }
        if int.len() + frac.len() > MAX_DIGITS {
            return Err(format!("`{s}` has too many digits"));
        }
        let digits = format!("{int}{frac}");
        let mantissa: u128 = digits.parse().map_err(|_| format!("`{s}` is not a number"))?;
        let mut scale = frac.len() as i64;
        // (multiplier, decimal exponent)
        let (multiplier, exponent): (u128, i64) = match suffix {
            "" => (1, 0),
            "Ki" => (1 << 10, 0),
            "Mi" => (1 << 20, 0),
            "Gi" => (1 << 30, 0),
            "Ti" => (1 << 40, 0),
            "Pi" => (1 << 50, 0),
            "Ei" => (1 << 60, 0),
            "m" => (1, -3),
            "k" => (1, 3),
            "M" => (1, 6),
            "G" => (1, 9),
            "T" => (1, 12),
            "P" => (1, 15),
            "E" => (1, 18),
            other => {
                let exp = other
                    .strip_prefix(['e', 'E'])
                    .filter(|e| {
                        let d = e.strip_prefix(['+', '-']).unwrap_or(e);
                        !d.is_empty() && d.len() <= 3 && d.bytes().all(|b| b.is_ascii_digit())
                    })
                    .and_then(|e| e.parse::<i64>().ok())
                    .ok_or_else(|| {
                        format!(
                            "`{s}` has an unknown suffix `{other}`: use Ki, Mi, Gi, Ti, Pi, Ei, m, k, M, G, T, P, E or an exponent such as e3"
                        )
                    })?;
                (1, exp)
            }
        };
        scale -= exponent;
        let mut numerator = mantissa.checked_mul(multiplier).ok_or_else(|| format!("`{s}` is too large"))?;
        if scale < 0 {
            numerator = u32::try_from(-scale)
                .ok()
                .and_then(pow10)
                .and_then(|p| numerator.checked_mul(p))
                .ok_or_else(|| format!("`{s}` is too large"))?;
            scale = 0;
        }
        let scale = u32::try_from(scale).ok().filter(|s| *s <= 36).ok_or_else(|| format!("`{s}` is too small"))?;
        Ok(Quantity { text: s.to_string(), numerator, scale, negative })
    }

    /// As written (trimmed).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// More than zero.
    pub fn is_positive(&self) -> bool {
        !self.negative && self.numerator > 0
    }

    /// The value as a whole number (of bytes, for memory), when it is one.
    pub fn whole(&self) -> Option<u128> {
        if self.negative {
            return None;
        }
        let d = pow10(self.scale)?;
        self.numerator.is_multiple_of(d).then(|| self.numerator / d)
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        let sign = |q: &Quantity| if q.negative && q.numerator > 0 { -1 } else { 1 };
        if sign(self) != sign(other) {
            return Some(sign(self).cmp(&sign(other)));
        }
        let scale = self.scale.max(other.scale);
        let a = self.numerator.checked_mul(pow10(scale - self.scale)?)?;
        let b = other.numerator.checked_mul(pow10(scale - other.scale)?)?;
        Some(if sign(self) < 0 { b.cmp(&a) } else { a.cmp(&b) })
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Bytes as Docker writes a memory size (`256m`, `1g`; binary units), exact.
pub fn docker_bytes(bytes: u128) -> String {
    for (unit, size) in [("g", 1u128 << 30), ("m", 1 << 20), ("k", 1 << 10)] {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{}{unit}", bytes / size);
        }
    }
    format!("{bytes}b")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    #[test]
    fn reads_every_suffix() {
        assert_eq!(q("128Mi").whole(), Some(128 << 20));
        assert_eq!(q("1G").whole(), Some(1_000_000_000));
        assert_eq!(q("0.5Gi").whole(), Some(1 << 29));
        assert_eq!(q("1e3").whole(), Some(1000));
        assert_eq!(q("1E3").whole(), Some(1000));
        assert_eq!(q("2E").whole(), Some(2_000_000_000_000_000_000));
        assert_eq!(q("100m").whole(), None);
        assert_eq!(q("1000m").whole(), Some(1));
        assert_eq!(q(".5").whole(), None);
        assert!(q("100m") < q("0.2"));
        assert!(q("256Mi") > q("256M"));
        assert_eq!(q("1").partial_cmp(&q("1000m")), Some(Ordering::Equal));
        assert!(!q("0").is_positive());
        assert!(!q("-1").is_positive());
    }

    #[test]
    fn refuses_what_kubernetes_refuses() {
        for bad in ["", "Mi", "12MB", "1.2.3", "1e", "1e9999", "12 Mi", "0x10", "9999999999999999999999Ei"] {
            assert!(Quantity::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn docker_units() {
        assert_eq!(docker_bytes(256 << 20), "256m");
        assert_eq!(docker_bytes(2 << 30), "2g");
        assert_eq!(docker_bytes(1_000_000_000), "1000000000b");
        assert_eq!(docker_bytes(1536), "1536b");
        assert_eq!(docker_bytes(2048), "2k");
    }
}
