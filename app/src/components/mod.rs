//! Reusable UI pieces.
pub mod api_tokens;
pub mod deploy_live;
pub mod entity_bits;
pub mod env_status;
pub mod fetched;
pub mod icons;
pub mod live_stream;
pub mod modal;
pub mod problem;
pub mod request_state;
pub mod requests_link;
pub mod session;
pub mod status;
pub mod theme;
pub mod time;
pub mod topbar;
pub mod user_menu;
