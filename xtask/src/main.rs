//! `cargo xtask`: the user-facing task runner (placeholder until the reproduce-fig1 issue).
fn main() {
    eprintln!("xtask: no tasks yet");
    std::process::exit(2);
}
