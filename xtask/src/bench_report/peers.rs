//! The Python peers (`benches/peers/*.py`): a virtual environment created with `python3 -m venv`
//! and `pip install -r benches/peers/requirements.txt`, package versions, and the scripts' JSON
//! output. Every failure becomes a reason string ("not measured: ...").

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use super::machine::run_logged;

/// A usable peer environment.
#[derive(Debug, Clone)]
pub struct PeerEnv {
    /// The environment's interpreter.
    pub python: PathBuf,
    /// Python version and the versions of the peer packages (name -> version).
    pub versions: BTreeMap<String, String>,
    /// How the environment was obtained (created, reused, repaired).
    pub how: String,
}

/// Checks that the peer packages are installed (neural-tangents is not imported here: with
/// newer jax it needs the name shim `nt_kernel.py` loads first; the scripts report their own
/// import failures).
const IMPORT_CHECK: &str =
    "import numpy, scipy, jax, importlib.metadata as m; m.version('neural-tangents')";
const VERSIONS: &str = r#"
import importlib.metadata as m, json, platform
out = {'python': platform.python_version()}
for p in ['numpy', 'scipy', 'jax', 'jaxlib', 'neural-tangents']:
    try:
        out[p] = m.version(p)
    except Exception:
        out[p] = 'missing'
print(json.dumps(out))
"#;

fn py(
    python: &Path,
    root: &Path,
    args: &[&str],
    limit: Duration,
    log: &Path,
) -> Result<String, String> {
    let mut c = Command::new(python);
    c.current_dir(root).args(args);
    run_logged(c, limit, log).result
}

/// Creates (or reuses) the virtual environment at `venv` and checks that the peers' packages
/// import. A reused environment whose imports fail is repaired with `pip install -r`.
pub fn prepare(root: &Path, venv: &Path, log: &Path) -> Result<PeerEnv, String> {
    let python = venv.join("bin").join("python");
    let req = root.join("benches/peers/requirements.txt");
    let req_s = req.to_string_lossy().to_string();
    let pip = |how: &str| -> Result<(), String> {
        eprintln!(
            "bench-report: pip install -r {} into {} ({how})",
            req.display(),
            venv.display()
        );
        py(
            &python,
            root,
            &[
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-q",
                "-r",
                &req_s,
            ],
            Duration::from_secs(1800),
            log,
        )
        .map(|_| ())
        .map_err(|e| format!("pip install -r benches/peers/requirements.txt failed: {e}"))
    };
    let how;
    if !python.exists() {
        eprintln!(
            "bench-report: creating virtual environment {}",
            venv.display()
        );
        let mut c = Command::new("python3");
        c.current_dir(root).args(["-m", "venv"]).arg(venv);
        run_logged(c, Duration::from_secs(300), log)
            .result
            .map_err(|e| format!("python3 -m venv {} failed: {e}", venv.display()))?;
        pip("new environment")?;
        how = format!(
            "created `{}` with `python3 -m venv` + `pip install -r benches/peers/requirements.txt`",
            venv.display()
        );
    } else if py(
        &python,
        root,
        &["-c", IMPORT_CHECK],
        Duration::from_secs(300),
        log,
    )
    .is_err()
    {
        pip("imports failed")?;
        how = format!(
            "reused `{}`, repaired with `pip install -r benches/peers/requirements.txt`",
            venv.display()
        );
    } else {
        how = format!(
            "reused `{}` (imports checked; not reinstalled)",
            venv.display()
        );
    }
    py(
        &python,
        root,
        &["-c", IMPORT_CHECK],
        Duration::from_secs(300),
        log,
    )
    .map_err(|e| format!("peer packages missing after installation: {e}"))?;
    let versions = py(
        &python,
        root,
        &["-c", VERSIONS],
        Duration::from_secs(120),
        log,
    )
    .ok()
    .and_then(|s| last_json(&s).ok())
    .and_then(|v| {
        v.as_object().map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("?").to_string()))
                .collect()
        })
    })
    .unwrap_or_default();
    Ok(PeerEnv {
        python,
        versions,
        how,
    })
}

/// The last line of `s` that parses as a JSON object.
fn last_json(s: &str) -> Result<Value, String> {
    s.lines()
        .rev()
        .filter(|l| l.trim_start().starts_with('{'))
        .find_map(|l| serde_json::from_str::<Value>(l).ok())
        .ok_or_else(|| "no JSON object in the script's output".to_string())
}

/// Runs `benches/peers/<script> --json <args>` and returns its JSON object.
pub fn run_script(
    env: &PeerEnv,
    root: &Path,
    script: &str,
    args: &[String],
    limit: Duration,
    log: &Path,
) -> Result<Value, String> {
    let path = root.join("benches/peers").join(script);
    let mut c = Command::new(&env.python);
    c.current_dir(root).arg(&path).arg("--json").args(args);
    let out = run_logged(c, limit, log).result?;
    last_json(&out)
}
