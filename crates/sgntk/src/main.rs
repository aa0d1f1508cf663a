//! The `sgntk` command-line tool. Subcommands live in `cli/`; shared pieces (architecture flags,
//! CSV input, matrix output) in `cli/args.rs` and `cli/io.rs`, so that a new subcommand is one
//! module plus one enum variant in `cli/mod.rs`.
mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
