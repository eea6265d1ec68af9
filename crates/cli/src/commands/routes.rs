//! `gongyi routes`: the route table as JSON, read by the browser suite
//! (`scripts/browser/`) so it walks every page there is and knows which
//! form actions each role may use.

use super::CliError;
use crate::config::Config;

pub async fn run(cfg: &Config) -> Result<(), CliError> {
    let registry = super::registry(cfg).await?;
    let (_, specs) = gongyi_web::routes(
        gongyi_web::AppState::new(registry),
        &gongyi_web::WebConfig::default(),
    );
    println!("{}", gongyi_web::listing(&specs));
    Ok(())
}
