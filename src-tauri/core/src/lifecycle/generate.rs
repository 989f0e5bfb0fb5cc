//! Generated values, from the OS CSPRNG (getrandom), each symbol drawn uniformly (rejection
//! sampling, no modulo bias), with their entropy in bits: `length × log2(alphabet)` or
//! `words × log2(7772)` for passphrases from the EFF large word list (less its hyphenated words).

use serde::{Deserialize, Serialize};

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::model::{WriteOptions, WriteOutcome};
use crate::path::SecretPath;
use crate::secret::SecretValue;
use crate::vault::Vault;

/// The EFF large word list (7776 words, <https://www.eff.org/dice>).
const WORDS: &str = include_str!("eff_large_wordlist.txt");

/// The symbols of `symbols`: printable ASCII except quotes, backslash, backtick and space, so a
/// value survives a shell, a `.env` file and a URL's userinfo with at most percent-encoding.
const SYMBOLS: &str = "!#$%&()*+,-./:;<=>?@[]^_{|}~";

/// Which characters a generated value is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Charset {
    /// A-Z a-z 0-9 (62)
    Alnum,
    /// 0-9 a-f (16)
    Hex,
    /// A-Z a-z 0-9 - _ (64)
    Base64url,
    /// A-Z a-z 0-9 and 28 symbols (90)
    Symbols,
}

impl Charset {
    pub const ALL: [Charset; 4] =
        [Charset::Alnum, Charset::Hex, Charset::Base64url, Charset::Symbols];

    pub fn as_str(self) -> &'static str {
        match self {
            Charset::Alnum => "alnum",
            Charset::Hex => "hex",
            Charset::Base64url => "base64url",
            Charset::Symbols => "symbols",
        }
    }

    pub fn parse(s: &str) -> Result<Charset> {
        Charset::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| {
            Error::InvalidInput(format!(
                "unknown charset '{}'; use alnum, hex, base64url or symbols",
                s.escape_debug()
            ))
        })
    }

    /// The alphabet, in a fixed order.
    pub fn alphabet(self) -> Vec<u8> {
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        match self {
            Charset::Alnum => ALNUM.to_vec(),
            Charset::Hex => b"0123456789abcdef".to_vec(),
            Charset::Base64url => [ALNUM, b"-_"].concat(),
            Charset::Symbols => [ALNUM, SYMBOLS.as_bytes()].concat(),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GenSpec {
    /// `length` characters of `charset` (1-4096).
    Chars { charset: Charset, length: u32 },
    /// `count` words of the EFF list joined by `-` (1-64).
    Words { count: u32 },
}

impl Default for GenSpec {
    fn default() -> Self {
        GenSpec::Chars { charset: Charset::Alnum, length: 32 }
    }
}

impl GenSpec {
    /// `CHARSET[:LENGTH]`, `LENGTH`, or `words[:N]`: `alnum:40`, `hex`, `64`, `words:6`.
    pub fn parse(s: &str) -> Result<GenSpec> {
        let (head, n) = match s.split_once(':') {
            Some((h, n)) => (h, Some(n)),
            None => (s, None),
        };
        let num = |n: &str| {
            n.parse::<u32>()
                .map_err(|_| Error::InvalidInput(format!("'{}' is not a length", n.escape_debug())))
        };
        let spec = if head == "words" {
            GenSpec::Words { count: n.map(num).transpose()?.unwrap_or(6) }
        } else if let (Ok(length), None) = (head.parse::<u32>(), n) {
            GenSpec::Chars { charset: Charset::Alnum, length }
        } else {
            let charset = Charset::parse(head)?;
            GenSpec::Chars { charset, length: n.map(num).transpose()?.unwrap_or(32) }
        };
        spec.check()?;
        Ok(spec)
    }

    pub fn check(self) -> Result<()> {
        match self {
            GenSpec::Chars { length, .. } if !(1..=4096).contains(&length) => {
                Err(Error::InvalidInput("the length is 1-4096 characters".into()))
            }
            GenSpec::Words { count } if !(1..=64).contains(&count) => {
                Err(Error::InvalidInput("the number of words is 1-64".into()))
            }
            _ => Ok(()),
        }
    }

    /// The entropy of a value drawn with this spec, in bits.
    pub fn entropy_bits(self) -> f64 {
        match self {
            GenSpec::Chars { charset, length } => {
                f64::from(length) * (charset.alphabet().len() as f64).log2()
            }
            GenSpec::Words { count } => f64::from(count) * (words().len() as f64).log2(),
        }
    }

    /// `alnum × 32` / `6 words`, for messages and audit details.
    pub fn describe(self) -> String {
        match self {
            GenSpec::Chars { charset, length } => format!("{} x {length}", charset.as_str()),
            GenSpec::Words { count } => format!("{count} words"),
        }
    }
}

/// A generated value and what it is worth.
#[derive(Debug)]
pub struct Generated {
    pub value: SecretValue,
    pub entropy_bits: f64,
}

/// The EFF long list without its four hyphenated words (`drop-down`, `t-shirt`…): words are
/// joined with `-`, so those would make a phrase's words ambiguous (and miscounted).
fn words() -> &'static [&'static str] {
    static LIST: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    LIST.get_or_init(|| WORDS.lines().filter(|l| !l.is_empty() && !l.contains('-')).collect())
}

/// Random bytes from the OS.
fn fill(buf: &mut [u8]) -> Result<()> {
    getrandom::getrandom(buf)
        .map_err(|e| Error::KeyUnavailable(format!("the OS random generator failed: {e}")))
}

/// `count` indices uniform in `0..n` (n ≤ 65536): 16-bit draws, rejecting the biased tail.
fn uniform(n: usize, count: usize) -> Result<Vec<usize>> {
    let limit = 65_536 - 65_536 % n;
    let mut out = Vec::with_capacity(count);
    let mut buf = zeroize::Zeroizing::new(vec![0u8; 2 * count.max(16)]);
    while out.len() < count {
        fill(&mut buf)?;
        for pair in buf.chunks_exact(2) {
            let x = usize::from(u16::from_le_bytes([pair[0], pair[1]]));
            if x < limit && out.len() < count {
                out.push(x % n);
            }
        }
    }
    Ok(out)
}

/// Draws one value.
pub fn generate(spec: GenSpec) -> Result<Generated> {
    spec.check()?;
    let text = match spec {
        GenSpec::Chars { charset, length } => {
            let a = charset.alphabet();
            let idx = uniform(a.len(), length as usize)?;
            idx.into_iter().map(|i| char::from(a[i])).collect::<String>()
        }
        GenSpec::Words { count } => {
            let w = words();
            let idx = uniform(w.len(), count as usize)?;
            idx.into_iter().map(|i| w[i]).collect::<Vec<_>>().join("-")
        }
    };
    Ok(Generated { value: SecretValue::from_string(text), entropy_bits: spec.entropy_bits() })
}

impl Vault {
    /// Generates a value and stores it as a new version of `path` (created if needed). Audited as
    /// `generate` with the spec and its entropy, never the value.
    pub fn generate_into(
        &mut self,
        path: &SecretPath,
        spec: GenSpec,
        opts: &WriteOptions,
    ) -> Result<(WriteOutcome, Generated)> {
        let g = generate(spec)?;
        let detail = format!("{} ({:.0} bits)", spec.describe(), g.entropy_bits);
        let out = self.write(path, &g.value, opts, Action::Generate, Some(detail))?;
        Ok((out, g))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse() {
        assert_eq!(
            GenSpec::parse("hex:64").unwrap(),
            GenSpec::Chars { charset: Charset::Hex, length: 64 }
        );
        assert_eq!(
            GenSpec::parse("40").unwrap(),
            GenSpec::Chars { charset: Charset::Alnum, length: 40 }
        );
        assert_eq!(GenSpec::parse("words:5").unwrap(), GenSpec::Words { count: 5 });
        assert!(GenSpec::parse("hex:0").is_err() && GenSpec::parse("emoji").is_err());
        assert_eq!(words().len(), 7772);
        assert!(words().iter().all(|w| !w.contains('-')));
        assert_eq!(Charset::Symbols.alphabet().len(), 90);
        let bits = GenSpec::Words { count: 6 }.entropy_bits();
        assert!((bits - 77.55).abs() < 0.01, "{bits}");
    }
}
