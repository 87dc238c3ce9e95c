//! Reusable UI pieces.
pub mod entity_bits;
pub mod icons;
pub mod status;
pub mod theme;
pub mod topbar;
