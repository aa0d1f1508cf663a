//! The `sgntk` command-line tool (placeholder until the kernel issue adds subcommands).
fn main() {
    eprintln!("sgntk: no subcommands yet");
    std::process::exit(2);
}
