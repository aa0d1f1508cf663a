//! Output directories of long runs: configuration check, `--fresh`, and per-item checkpoints.
//!
//! A run directory holds `config.json` (the configuration that produced it) and `checkpoints/`
//! (one file per finished unit of work, e.g. one trained network, written atomically). Rerunning
//! the same configuration reuses every checkpoint; a different configuration is refused unless
//! `--fresh` is given, which deletes the old checkpoints first.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::io::write_atomic;

/// An opened, configuration-checked output directory.
pub struct RunDir {
    /// The directory.
    pub path: PathBuf,
}

impl RunDir {
    /// Opens `path` for a run whose identity is `config` (everything that changes results).
    pub fn open<C: Serialize>(path: &Path, config: &C, fresh: bool) -> Result<Self> {
        let want = serde_json::to_value(config)?;
        let cfg_path = path.join("config.json");
        if cfg_path.exists() && !fresh {
            let have: serde_json::Value = serde_json::from_str(&fs::read_to_string(&cfg_path)?)
                .with_context(|| format!("reading {}", cfg_path.display()))?;
            if have != want {
                let diffs = diff_keys(&have, &want);
                bail!(
                    "{} holds results of a different configuration (differs in: {}).\n\
                     Use another --out directory, or --fresh to delete those results and start over.",
                    path.display(),
                    diffs.join(", ")
                );
            }
        }
        if fresh && path.join("checkpoints").exists() {
            fs::remove_dir_all(path.join("checkpoints"))
                .with_context(|| format!("removing old checkpoints in {}", path.display()))?;
        }
        fs::create_dir_all(path.join("checkpoints"))
            .with_context(|| format!("creating {}", path.display()))?;
        write_atomic(&cfg_path, serde_json::to_string_pretty(&want)?.as_bytes())?;
        Ok(Self {
            path: path.to_path_buf(),
        })
    }

    /// Path of checkpoint `name` (a file in `checkpoints/`).
    pub fn checkpoint_path(&self, name: &str) -> PathBuf {
        self.path.join("checkpoints").join(format!("{name}.json"))
    }

    /// Loads checkpoint `name` if it exists and parses.
    pub fn load<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        let p = self.checkpoint_path(name);
        let text = fs::read_to_string(p).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Saves checkpoint `name` atomically.
    pub fn save<T: Serialize>(&self, name: &str, value: &T) -> Result<()> {
        write_atomic(
            &self.checkpoint_path(name),
            serde_json::to_string(value)?.as_bytes(),
        )
    }

    /// Path of an output file in the directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

fn diff_keys(have: &serde_json::Value, want: &serde_json::Value) -> Vec<String> {
    match (have.as_object(), want.as_object()) {
        (Some(h), Some(w)) => {
            let mut keys: Vec<String> = h
                .keys()
                .chain(w.keys())
                .filter(|k| h.get(*k) != w.get(*k))
                .cloned()
                .collect();
            keys.sort();
            keys.dedup();
            keys
        }
        _ => vec!["<whole file>".into()],
    }
}
