//! Masking secret values in a stream (`hush run --mask`): every occurrence of a value becomes
//! `[hush:masked]`, also when it is split across reads. The tail of a chunk that could still be
//! the start of a value is held back until the next chunk (or the end) decides it.
//!
//! Values shorter than `MIN_MASKED_LEN` bytes are not masked: masking `1` or `on` would garble
//! ordinary output without hiding anything worth hiding.

use zeroize::Zeroizing;

/// What a masked value is replaced with.
pub const MASK: &[u8] = b"[hush:masked]";
/// Shorter values are left alone.
pub const MIN_MASKED_LEN: usize = 4;

/// A streaming replacer for one output stream. Holds copies of the values (zeroized on drop).
pub struct Masker {
    /// Patterns by first byte, longest first, so the longest value wins at a position.
    by_first: Vec<Vec<usize>>,
    patterns: Vec<Zeroizing<Vec<u8>>>,
    pending: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Masker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Masker({} values)", self.patterns.len())
    }
}

impl Masker {
    pub fn new<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> Masker {
        let mut patterns: Vec<Zeroizing<Vec<u8>>> = values
            .into_iter()
            .filter(|v| v.len() >= MIN_MASKED_LEN)
            .map(|v| Zeroizing::new(v.to_vec()))
            .collect();
        patterns.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        patterns.dedup();
        let mut by_first = vec![Vec::new(); 256];
        for (i, p) in patterns.iter().enumerate() {
            by_first[p[0] as usize].push(i);
        }
        Masker { by_first, patterns, pending: Zeroizing::new(Vec::new()) }
    }

    /// Feeds a chunk; appends to `out` everything that is decided.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        let mut buf = std::mem::take(&mut self.pending);
        buf.extend_from_slice(chunk);
        let keep = self.scan(&buf, false, out);
        self.pending = Zeroizing::new(buf[keep..].to_vec());
    }

    /// The stream ended: appends what was held back.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        let buf = std::mem::take(&mut self.pending);
        self.scan(&buf, true, out);
    }

    /// Emits decided bytes of `buf`; returns where the undecided tail starts (`buf.len()` if none).
    fn scan(&self, buf: &[u8], eof: bool, out: &mut Vec<u8>) -> usize {
        let mut i = 0;
        'outer: while i < buf.len() {
            for &pi in &self.by_first[buf[i] as usize] {
                let p = &self.patterns[pi];
                let rest = &buf[i..];
                if rest.len() >= p.len() {
                    if rest.starts_with(p) {
                        out.extend_from_slice(MASK);
                        i += p.len();
                        continue 'outer;
                    }
                } else if !eof && p.starts_with(rest) {
                    // Could become this value (or a longer one) with more input: wait.
                    return i;
                }
            }
            out.push(buf[i]);
            i += 1;
        }
        buf.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(values: &[&str], chunks: &[&[u8]]) -> String {
        let mut m = Masker::new(values.iter().map(|v| v.as_bytes()));
        let mut out = Vec::new();
        for c in chunks {
            m.push(c, &mut out);
        }
        m.finish(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn masks_whole_values() {
        assert_eq!(run(&["s3cr3t"], &[b"a s3cr3t b s3cr3t"]), "a [hush:masked] b [hush:masked]");
        assert_eq!(run(&["abc"], &[b"abc"]), "abc", "too short to mask");
    }

    #[test]
    fn masks_across_every_chunk_boundary() {
        let text = b"token=hunter22-long; again:hunter22-long!";
        for cut in 0..=text.len() {
            for cut2 in cut..=text.len() {
                let got = run(&["hunter22-long"], &[&text[..cut], &text[cut..cut2], &text[cut2..]]);
                assert_eq!(got, "token=[hush:masked]; again:[hush:masked]!", "cuts {cut},{cut2}");
            }
        }
    }

    #[test]
    fn byte_at_a_time_and_longest_wins() {
        let text = b"xx abcdefgh abcd abcdefg";
        let chunks: Vec<&[u8]> = text.chunks(1).collect();
        assert_eq!(
            run(&["abcd", "abcdefgh"], &chunks),
            "xx [hush:masked] [hush:masked] [hush:masked]efg"
        );
    }

    #[test]
    fn a_held_back_prefix_is_flushed_at_the_end() {
        assert_eq!(run(&["secret-value"], &[b"ends with secret-va"]), "ends with secret-va");
    }
}
