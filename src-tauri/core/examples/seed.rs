//! Seeds a passphrase-mode vault with N secrets, for the benchmarks in `bench/`.
//!
//!     HUSH_PASSPHRASE=... cargo run --release -p hush-core --example seed -- <vault.db> <n>
//!
//! Paths are `app{i%F}/env{i%5}/KEY_{i}` (F folders: `HUSH_SEED_FOLDERS`, a multiple of 5,
//! default 100), with tags (`team{i%7}`, `env{i%5}`, every 10th also
//! `prod`), a description and a kind; with `HUSH_SEED_PLAIN=1`, values only (as a `.env` import). Uses only the public API of hush-core (`Vault::create`,
//! `Vault::open`, `unlock_passphrase`, `set`). Idempotent: an existing vault is opened and only the
//! paths it does not hold yet are written. Prints the write rate on stderr.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

use hush_core::{
    Kind, ListFilter, Passphrase, Protection, SecretPath, SecretValue, Vault, WriteOptions,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(vault), Some(n)) = (args.next(), args.next()) else {
        eprintln!("usage: seed <vault.db> <n>   (passphrase from HUSH_PASSPHRASE, default 'bench-passphrase')");
        std::process::exit(2);
    };
    let vault = PathBuf::from(vault);
    let n: u64 = n.parse()?;
    let pass = Passphrase::new(
        std::env::var("HUSH_PASSPHRASE").unwrap_or_else(|_| "bench-passphrase".into()),
    );

    let started = Instant::now();
    let mut v = if vault.exists() {
        let mut v = Vault::open(&vault)?;
        v.unlock_passphrase(&pass)?;
        v
    } else {
        Vault::create(&vault, Protection::Passphrase(&pass))?
    };
    let have: HashSet<String> =
        v.list(&ListFilter::default())?.into_iter().map(|m| m.path).collect();
    let folders: u64 =
        std::env::var("HUSH_SEED_FOLDERS").ok().and_then(|f| f.parse().ok()).unwrap_or(100);
    let plain = std::env::var("HUSH_SEED_PLAIN").is_ok_and(|p| p == "1");
    let kinds = [Kind::Generic, Kind::ApiKey, Kind::Token, Kind::Password, Kind::ConnectionString];

    let t = Instant::now();
    let mut written = 0u64;
    for i in 0..n {
        let path = format!("app{}/env{}/KEY_{i}", i % folders, i % 5);
        if have.contains(&path) {
            continue;
        }
        let mut tags = vec![format!("team{}", i % 7), format!("env{}", i % 5)];
        if i % 10 == 0 {
            tags.push("prod".into());
        }
        let opts = if plain {
            WriteOptions::default()
        } else {
            WriteOptions {
                kind: Some(kinds[(i % kinds.len() as u64) as usize]),
                tags: Some(tags),
                description: Some(format!("benchmark secret number {i} of app{}", i % folders)),
                ..WriteOptions::default()
            }
        };
        let value = SecretValue::from_string(format!(
            "value-{i}-{:016x}",
            i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ));
        v.set(&SecretPath::parse(&path)?, &value, &opts)?;
        written += 1;
        if written.is_multiple_of(10_000) {
            eprintln!(
                "seed: {written} written, {:.0}/s",
                written as f64 / t.elapsed().as_secs_f64()
            );
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let rate = if secs > 0.0 { written as f64 / secs } else { 0.0 };
    eprintln!(
        "seed: {written} new secrets in {secs:.1}s ({rate:.0}/s); {} already there; total {:.1}s",
        have.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
