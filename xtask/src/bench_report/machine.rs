//! Machine facts (CPU, cores, memory, toolchain, load) and a child-process runner with a time
//! limit, log file and CPU-time accounting.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What the report says about the machine.
#[derive(Debug, Clone)]
pub struct Machine {
    /// CPU model name (`/proc/cpuinfo`).
    pub cpu: String,
    /// Logical CPUs visible to this process.
    pub cpus: usize,
    /// Threads per core and cores per socket as `lscpu` reports them (if available).
    pub topology: Option<String>,
    /// Total memory in GiB (`/proc/meminfo`).
    pub mem_gib: Option<f64>,
    /// `rustc -V`.
    pub rustc: String,
    /// `git describe`-like commit of the checkout (short hash, `-dirty` if modified).
    pub commit: String,
    /// UTC date and time at the start.
    pub date: String,
    /// Kernel and architecture (`uname -srm`).
    pub os: String,
}

/// Output of a command's stdout, trimmed, or None when it could not run or failed.
pub fn cmd_out(prog: &str, args: &[&str], dir: &Path) -> Option<String> {
    let o = Command::new(prog)
        .args(args)
        .current_dir(dir)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

impl Machine {
    /// Collects the facts (everything optional degrades to "unknown").
    pub fn probe(root: &Path) -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
        let topology = cmd_out("lscpu", &[], root).map(|s| {
            let pick = |key: &str| {
                s.lines()
                    .find(|l| l.trim_start().starts_with(key))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_string())
            };
            [
                ("threads per core", pick("Thread(s) per core")),
                ("cores per socket", pick("Core(s) per socket")),
                ("sockets", pick("Socket(s)")),
                ("L2", pick("L2 cache")),
                ("L3", pick("L3 cache")),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k} {v}")))
            .collect::<Vec<_>>()
            .join(", ")
        });
        let mem_gib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("MemTotal"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<f64>().ok())
            })
            .map(|kib| kib / (1024.0 * 1024.0));
        let rustc = cmd_out("rustc", &["-V"], root).unwrap_or_else(|| "unknown".into());
        let commit = match cmd_out("git", &["rev-parse", "--short", "HEAD"], root) {
            Some(h) => {
                let dirty = cmd_out(
                    "git",
                    &["status", "--porcelain", "--untracked-files=no"],
                    root,
                )
                .is_some_and(|s| !s.is_empty());
                if dirty {
                    format!("{h} (with uncommitted changes)")
                } else {
                    h
                }
            }
            None => "unknown".into(),
        };
        let date = cmd_out("date", &["-u", "+%Y-%m-%d %H:%M UTC"], root)
            .unwrap_or_else(|| "unknown".into());
        let os = cmd_out("uname", &["-srm"], root).unwrap_or_else(|| "unknown".into());
        Machine {
            cpu,
            cpus,
            topology,
            mem_gib,
            rustc,
            commit,
            date,
            os,
        }
    }
}

/// The 1, 5 and 15 minute load averages (`/proc/loadavg`).
pub fn loadavg() -> Option<[f64; 3]> {
    let s = std::fs::read_to_string("/proc/loadavg").ok()?;
    let v: Vec<f64> = s
        .split_whitespace()
        .take(3)
        .filter_map(|x| x.parse().ok())
        .collect();
    (v.len() == 3).then(|| [v[0], v[1], v[2]])
}

fn clk_tck() -> Option<f64> {
    cmd_out("getconf", &["CLK_TCK"], Path::new("."))?
        .parse()
        .ok()
}

/// Busy CPU seconds of the whole machine since boot, all CPUs (`/proc/stat` line `cpu`: user,
/// nice, system, irq, softirq, steal; not idle or iowait).
pub fn machine_busy_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/stat").ok()?;
    let line = s.lines().find(|l| l.starts_with("cpu "))?;
    let v: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let busy =
        v.first()? + v.get(1)? + v.get(2)? + v.get(5)? + v.get(6)? + v.get(7).unwrap_or(&0.0);
    Some(busy / clk_tck()?)
}

/// The sum of fields `fields` (0-based, counted after the parenthesised command name) of
/// `/proc/self/stat`, clock ticks converted to seconds.
fn self_stat_s(fields: std::ops::Range<usize>) -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let mut t = 0.0;
    for k in fields {
        t += f.get(k)?.parse::<f64>().ok()?;
    }
    Some(t / clk_tck()?)
}

/// CPU seconds of this process and its waited-for descendants (`/proc/self/stat` utime, stime,
/// cutime, cstime).
pub fn own_cpu_s() -> Option<f64> {
    self_stat_s(11..15)
}

/// CPU seconds (user + system) of this process's waited-for descendants (`/proc/self/stat`
/// cutime + cstime); None where unavailable.
pub fn children_cpu_s() -> Option<f64> {
    self_stat_s(13..15)
}

/// How a child process ended.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// Ok(stdout) on exit status 0, otherwise why not.
    pub result: Result<String, String>,
    /// Wall-clock seconds.
    pub wall_s: f64,
    /// CPU seconds of the child and its descendants (None where unavailable).
    pub cpu_s: Option<f64>,
}

/// Runs `cmd` with a time limit; stdout is captured and returned, stdout and stderr are also
/// appended to `log`. A failure's reason quotes the last meaningful stderr line.
pub fn run_logged(mut cmd: Command, limit: Duration, log: &Path) -> RunOutcome {
    let t0 = Instant::now();
    let c0 = children_cpu_s();
    let err_path = log.with_extension("stderr.tmp");
    let err_file = match std::fs::File::create(&err_path) {
        Ok(f) => f,
        Err(e) => {
            return RunOutcome {
                result: Err(format!("cannot create {}: {e}", err_path.display())),
                wall_s: 0.0,
                cpu_s: None,
            };
        }
    };
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::from(err_file))
        .stdin(Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return RunOutcome {
                result: Err(format!("could not start {:?}: {e}", cmd.get_program())),
                wall_s: 0.0,
                cpu_s: None,
            };
        }
    };
    // read stdout on a thread so that a chatty child never blocks on a full pipe
    let mut out = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_string(&mut s);
        }
        s
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Ok(st),
            Ok(None) if t0.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("timed out after {:.0} s", limit.as_secs_f64()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => break Err(format!("waiting failed: {e}")),
        }
    };
    let stdout = reader.join().unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let _ = std::fs::remove_file(&err_path);
    let mut text = format!("$ {cmd:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n");
    if let Ok(old) = std::fs::read_to_string(log) {
        text = old + &text;
    }
    let _ = std::fs::write(log, text);
    let wall_s = t0.elapsed().as_secs_f64();
    let cpu_s = match (c0, children_cpu_s()) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    let last_err = || {
        stderr
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("I0000") && !l.starts_with("WARNING"))
            .unwrap_or("")
            .chars()
            .take(200)
            .collect::<String>()
    };
    let result = match status {
        Ok(st) if st.success() => Ok(stdout),
        Ok(st) => Err(format!(
            "exited with {st}: {} (log {})",
            last_err(),
            log.display()
        )),
        Err(e) => Err(e),
    };
    RunOutcome {
        result,
        wall_s,
        cpu_s,
    }
}
