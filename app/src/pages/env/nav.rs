//! Moving around the tree, pure: what a key does on a row (the WAI-ARIA tree pattern), which
//! rows a scroll position puts on screen, and where to scroll to reveal a row.

use std::ops::Range;

use crate::tree::{Row, TreeIndex};

/// Height of one row in pixels; the CSS (`--tree-row-h`) uses the same value.
pub const ROW_HEIGHT: f64 = 28.0;
/// Rows rendered above and below the visible ones, so fast scrolling does not show gaps.
pub const OVERSCAN: usize = 8;
/// Viewport height assumed before the browser measured it (and on the server).
pub const DEFAULT_VIEWPORT: f64 = 640.0;

/// What a key press asks for. Positions are indices into the visible rows; nodes are indices
/// into [`TreeIndex::nodes`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyAction {
    Focus(usize),
    Expand(usize),
    Collapse(usize),
    Select(usize),
    /// `*`: open every sibling of the focused node that has children.
    ExpandAll(Vec<usize>),
    None,
}

/// The action for `key` on the row at `pos`.
pub fn key_action(rows: &[Row], index: &TreeIndex, pos: usize, key: &str) -> KeyAction {
    let Some(row) = rows.get(pos) else {
        return match key {
            "ArrowDown" | "ArrowUp" | "Home" | "End" if !rows.is_empty() => KeyAction::Focus(0),
            _ => KeyAction::None,
        };
    };
    let last = rows.len() - 1;
    match key {
        "ArrowDown" if pos < last => KeyAction::Focus(pos + 1),
        "ArrowUp" if pos > 0 => KeyAction::Focus(pos - 1),
        "Home" if pos != 0 => KeyAction::Focus(0),
        "End" if pos != last => KeyAction::Focus(last),
        "ArrowRight" if row.has_children && !row.expanded => KeyAction::Expand(row.node),
        // The first child is the next row, one level deeper.
        "ArrowRight" if row.expanded => match rows.get(pos + 1) {
            Some(next) if next.level > row.level => KeyAction::Focus(pos + 1),
            _ => KeyAction::None,
        },
        "ArrowLeft" if row.expanded => KeyAction::Collapse(row.node),
        "ArrowLeft" if row.level > 1 => rows[..pos]
            .iter()
            .rposition(|r| r.level < row.level)
            .map_or(KeyAction::None, KeyAction::Focus),
        "Enter" | " " => KeyAction::Select(row.node),
        "*" => KeyAction::ExpandAll(
            index
                .siblings(row.node)
                .iter()
                .copied()
                .filter(|&s| !index.children[s].is_empty())
                .collect(),
        ),
        _ => KeyAction::None,
    }
}

/// The rows to render for a scroll position: the visible ones plus [`OVERSCAN`] either side.
pub fn window(scroll_top: f64, viewport: f64, total: usize) -> Range<usize> {
    if total == 0 {
        return 0..0;
    }
    let first = (scroll_top.max(0.0) / ROW_HEIGHT).floor() as usize;
    let last = ((scroll_top.max(0.0) + viewport.max(ROW_HEIGHT)) / ROW_HEIGHT).ceil() as usize;
    let start = first.saturating_sub(OVERSCAN).min(total);
    let end = (last + OVERSCAN).min(total);
    start..end
}

/// Row elements to keep for a viewport: as many as the longest window it can have. The tree
/// renders this many slots and moves rows through them, so scrolling updates a few slots in
/// place instead of creating and dropping row elements.
pub fn slot_count(viewport: f64) -> usize {
    (viewport.max(ROW_HEIGHT) / ROW_HEIGHT).ceil() as usize + 1 + 2 * OVERSCAN
}

/// The position slot `slot` of `slots` shows for a window: the one in `range` congruent to
/// `slot` modulo `slots`, so a position keeps its slot while it stays in the window.
pub fn slot_position(range: &Range<usize>, slots: usize, slot: usize) -> Option<usize> {
    if slots == 0 || slot >= slots {
        return None;
    }
    let pos = range.start + (slot + slots - range.start % slots) % slots;
    (pos < range.end).then_some(pos)
}

/// The scroll position that brings row `pos` fully into view, or `None` when it already is.
/// `center` places it mid-viewport (deep links), else the smallest move (arrow keys).
pub fn reveal(pos: usize, scroll_top: f64, viewport: f64, center: bool) -> Option<f64> {
    let top = pos as f64 * ROW_HEIGHT;
    let bottom = top + ROW_HEIGHT;
    if top >= scroll_top && bottom <= scroll_top + viewport {
        return None;
    }
    let to = if center {
        top - (viewport - ROW_HEIGHT) / 2.0
    } else if top < scroll_top {
        top
    } else {
        bottom - viewport
    };
    Some(to.max(0.0))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::tree::tests::shop;
    use crate::tree::{visible_rows, Expansion, Filter};

    fn rows(index: &TreeIndex, open: &[&str]) -> Vec<Row> {
        let open: HashSet<String> = open.iter().map(|s| s.to_string()).collect();
        visible_rows(
            index,
            Expansion {
                open: &open,
                folded: &HashSet::new(),
            },
            &Filter::default(),
        )
    }

    #[test]
    fn arrows_move_expand_and_collapse() {
        let index = shop();
        // root, cart (closed), pay (open), pay/Deployment
        let r = rows(&index, &["app:root", "app:pay"]);
        assert_eq!(key_action(&r, &index, 0, "ArrowDown"), KeyAction::Focus(1));
        assert_eq!(key_action(&r, &index, 0, "ArrowUp"), KeyAction::None);
        assert_eq!(key_action(&r, &index, 3, "ArrowDown"), KeyAction::None);
        assert_eq!(key_action(&r, &index, 2, "End"), KeyAction::Focus(3));
        assert_eq!(key_action(&r, &index, 2, "Home"), KeyAction::Focus(0));
        // Right on a closed parent opens it; on an open one goes to the first child.
        assert_eq!(
            key_action(&r, &index, 1, "ArrowRight"),
            KeyAction::Expand(1)
        );
        assert_eq!(key_action(&r, &index, 2, "ArrowRight"), KeyAction::Focus(3));
        assert_eq!(key_action(&r, &index, 3, "ArrowRight"), KeyAction::None);
        // Left on an open parent closes it; on a leaf or closed node goes to the parent.
        assert_eq!(
            key_action(&r, &index, 2, "ArrowLeft"),
            KeyAction::Collapse(4)
        );
        assert_eq!(key_action(&r, &index, 3, "ArrowLeft"), KeyAction::Focus(2));
        assert_eq!(key_action(&r, &index, 1, "ArrowLeft"), KeyAction::Focus(0));
        assert_eq!(
            key_action(&r, &index, 0, "ArrowLeft"),
            KeyAction::Collapse(0)
        );
    }

    #[test]
    fn enter_selects_and_star_opens_siblings() {
        let index = shop();
        let r = rows(&index, &["app:root"]);
        assert_eq!(key_action(&r, &index, 1, "Enter"), KeyAction::Select(1));
        assert_eq!(key_action(&r, &index, 2, " "), KeyAction::Select(4));
        assert_eq!(
            key_action(&r, &index, 1, "*"),
            KeyAction::ExpandAll(vec![1, 4])
        );
        assert_eq!(key_action(&r, &index, 1, "x"), KeyAction::None);
        // No focused row yet: arrows start at the top.
        assert_eq!(key_action(&r, &index, 99, "ArrowDown"), KeyAction::Focus(0));
        assert_eq!(key_action(&[], &index, 0, "ArrowDown"), KeyAction::None);
    }

    #[test]
    fn the_window_covers_the_viewport_plus_overscan() {
        assert_eq!(window(0.0, 280.0, 20_000), 0..(10 + OVERSCAN));
        // Scrolled to row 1000: rows 1000..1010 visible.
        let w = window(28_000.0, 280.0, 20_000);
        assert_eq!(w, (1000 - OVERSCAN)..(1010 + OVERSCAN));
        // Half a row scrolled shows one more row.
        assert_eq!(window(14.0, 280.0, 20_000).end, 11 + OVERSCAN);
        assert_eq!(window(0.0, 640.0, 5), 0..5);
        assert_eq!(window(9_999.0, 640.0, 5), 5..5);
        assert_eq!(window(0.0, 640.0, 0), 0..0);
    }

    #[test]
    fn slots_hold_each_position_of_the_window_once_and_keep_it_while_it_stays() {
        let slots = slot_count(640.0);
        for total in [0, 5, 100, 22_001] {
            let mut before: Option<Vec<Option<usize>>> = None;
            for step in 0..40 {
                let range = window(step as f64 * 120.0, 640.0, total);
                assert!(range.len() <= slots, "{range:?} longer than {slots} slots");
                let shown: Vec<Option<usize>> = (0..slots)
                    .map(|k| slot_position(&range, slots, k))
                    .collect();
                let mut positions: Vec<usize> = shown.iter().flatten().copied().collect();
                positions.sort();
                assert_eq!(positions, range.clone().collect::<Vec<_>>());
                if let Some(before) = before {
                    // A position still in the window is in the same slot as before.
                    for (k, p) in before.iter().enumerate() {
                        if let Some(p) = p.filter(|p| range.contains(p)) {
                            assert_eq!(shown[k], Some(p));
                        }
                    }
                }
                before = Some(shown);
            }
        }
        assert_eq!(slot_position(&(0..3), 0, 0), None);
        assert_eq!(slot_position(&(0..3), 4, 4), None);
    }

    #[test]
    fn reveal_scrolls_only_when_needed() {
        // Viewport of 10 rows at the top.
        assert_eq!(reveal(3, 0.0, 280.0, false), None);
        assert_eq!(reveal(10, 0.0, 280.0, false), Some(28.0));
        assert_eq!(reveal(2, 280.0, 280.0, false), Some(56.0));
        assert_eq!(reveal(100, 0.0, 280.0, true), Some(2800.0 - 126.0));
        assert_eq!(reveal(0, 100.0, 280.0, true), Some(0.0));
    }
}
