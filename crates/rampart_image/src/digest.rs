//! Content digests (`sha256:<64 hex>`), and a reader that checks one while it streams.

use std::fmt;
use std::io::{self, Read};

use sha2::{Digest as _, Sha256, Sha512};

/// A validated OCI content digest. Only `sha256` and `sha512` are accepted, with lowercase hex
/// of the right length, so a digest can be used to build a blob path without any risk of path
/// traversal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: Algorithm,
    hex: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    Sha256,
    Sha512,
}

impl Digest {
    pub fn parse(text: &str) -> Result<Digest, String> {
        let (algorithm, hex) =
            text.split_once(':').ok_or_else(|| format!("`{text}` is not a digest (ALGORITHM:HEX)"))?;
        let (algorithm, len) = match algorithm {
            "sha256" => (Algorithm::Sha256, 64),
            "sha512" => (Algorithm::Sha512, 128),
            other => return Err(format!("unsupported digest algorithm `{other}`")),
        };
        if hex.len() != len || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(format!("`{text}` is not a valid digest: expected {len} lowercase hex digits"));
        }
        Ok(Digest { algorithm, hex: hex.to_string() })
    }

    pub fn sha256_of(bytes: &[u8]) -> Digest {
        Digest { algorithm: Algorithm::Sha256, hex: hex(&Sha256::digest(bytes)) }
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    pub fn algorithm_name(&self) -> &'static str {
        match self.algorithm {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// `sha256:0123abcd…` with the hex cut to 12 digits, for messages.
    pub fn short(&self) -> String {
        format!("{}:{}", self.algorithm_name(), &self.hex[..12])
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm_name(), self.hex)
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[(byte >> 4) as usize] as char);
        out.push(DIGITS[(byte & 15) as usize] as char);
    }
    out
}

enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

/// Hashes everything read through it; [`VerifyingReader::finish`] compares with the expected
/// digest. At end of stream the reader itself reports a mismatch as an `InvalidData` error, so
/// a consumer that reads to the end cannot miss it.
pub struct VerifyingReader<R> {
    inner: R,
    hasher: Option<Hasher>,
    expected: Digest,
    read: u64,
    checked: bool,
}

impl<R> fmt::Debug for VerifyingReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingReader").field("expected", &self.expected).field("read", &self.read).finish()
    }
}

impl<R: Read> VerifyingReader<R> {
    pub fn new(inner: R, expected: Digest) -> Self {
        let hasher = match expected.algorithm {
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        };
        VerifyingReader { inner, hasher: Some(hasher), expected, read: 0, checked: false }
    }

    /// Reads whatever is left and checks the digest.
    pub fn finish(mut self) -> io::Result<u64> {
        io::copy(&mut self, &mut io::sink())?;
        Ok(self.read)
    }

    fn check(&mut self) -> io::Result<()> {
        if self.checked {
            return Ok(());
        }
        self.checked = true;
        let actual = match self.hasher.take() {
            Some(Hasher::Sha256(h)) => hex(&h.finalize()),
            Some(Hasher::Sha512(h)) => hex(&h.finalize()),
            None => return Ok(()),
        };
        if actual != self.expected.hex {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "content does not match its digest: expected {}, got {}:{actual}",
                    self.expected,
                    self.expected.algorithm_name()
                ),
            ));
        }
        Ok(())
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            if !buf.is_empty() {
                self.check()?;
            }
            return Ok(0);
        }
        self.read += n as u64;
        match &mut self.hasher {
            Some(Hasher::Sha256(h)) => h.update(&buf[..n]),
            Some(Hasher::Sha512(h)) => h.update(&buf[..n]),
            None => {}
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_rejects_traversal_and_bad_hex() {
        assert!(Digest::parse("sha256:../../etc/passwd").is_err());
        assert!(Digest::parse("sha256:ABCDEF").is_err());
        assert!(Digest::parse("md5:d41d8cd98f00b204e9800998ecf8427e").is_err());
        let d = Digest::sha256_of(b"");
        assert_eq!(d.to_string(), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(Digest::parse(&d.to_string()), Ok(d));
    }

    #[test]
    fn verifying_reader_reports_mismatch_at_eof() {
        let good = Digest::sha256_of(b"hello");
        assert_eq!(VerifyingReader::new(&b"hello"[..], good.clone()).finish().ok(), Some(5));
        let err = VerifyingReader::new(&b"hellO"[..], good).finish().unwrap_err();
        assert!(err.to_string().contains("does not match its digest"), "{err}");
    }
}
