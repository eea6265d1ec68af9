//! The demo's calls for purchased services go through the use cases and
//! leave one call in each state the public list shows, on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use gongyi_app::calls::CallFilter;
use gongyi_app::{Clock, Registry};
use gongyi_domain::calls::CallStatus;
use std::collections::BTreeSet;

#[tokio::test]
async fn the_demo_holds_a_call_in_every_state() {
    for (db, url) in gongyi_testkit::databases().await {
        let now = gongyi_domain::calls::parse_time("t", "t", "2026-12-08 10:00").unwrap();
        let registry = Registry::new(db, Clock::fixed_at(now));
        registry.load_demo(8, Some(0), 7, &|_, _| {}).await.unwrap();
        let made = registry.load_demo_calls().await.unwrap();
        assert_eq!((made.items, made.calls), (5, 8), "{url}");
        let public = registry
            .public_calls(CallFilter::default(), None)
            .await
            .unwrap();
        let seen: BTreeSet<CallStatus> = public.items.iter().map(|(_, s)| *s).collect();
        let published: BTreeSet<CallStatus> = CallStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.published())
            .collect();
        assert_eq!(
            seen, published,
            "{url}: the public sees every state but the draft"
        );
        assert_eq!(public.total, 7, "{url}: the draft is not public");
        // Every demo bid is sealed; the awarded ones were opened with the key.
        let contracted = public
            .items
            .iter()
            .find(|(_, s)| *s == CallStatus::Contracted)
            .unwrap();
        let bids = registry
            .store()
            .bids_of_call(contracted.0.id)
            .await
            .unwrap();
        assert_eq!(bids.len(), 4, "{url}");
        assert!(
            bids.iter()
                .all(|b| b.sealed.starts_with("b1:") && b.price_fen.is_some()),
            "{url}"
        );
    }
}
