//! `gongyi config default`: print an example configuration file.

use super::CliError;
use crate::config::Config;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Print the default configuration as TOML.
    Default,
    /// Print the configuration in effect (secrets redacted).
    Show,
}

pub fn run(c: Command, cfg: &Config) -> Result<(), CliError> {
    match c {
        Command::Default => print!("{}", Config::example()),
        Command::Show => println!("{cfg:?}"),
    }
    Ok(())
}
