//! Reusable UI pieces.
pub mod entity_bits;
pub mod env_status;
pub mod icons;
pub mod problem;
pub mod session;
pub mod status;
pub mod theme;
pub mod time;
pub mod topbar;
pub mod user_menu;
