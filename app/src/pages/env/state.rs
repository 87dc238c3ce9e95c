//! The environment page's shared state, handed to its parts through context: the current tree,
//! the URL's view (filters, selected node), what is expanded, the rows that follow from those,
//! the focused row and the scroll window. Expansion, focus and scroll live here rather than in
//! the tree component, so a live refetch replaces the data and keeps everything else.
//!
//! The page starts from the tree's head (its first screen, see [`crate::tree::head`]) and swaps
//! in the whole tree when it arrives. Expanding and folding in between are kept and replayed
//! on the whole tree, since the head alone cannot say what "open" means below its rows.

use std::collections::HashSet;
use std::sync::Arc;

use leptos::html::Div;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::nav::{reveal, DEFAULT_VIEWPORT, ROW_HEIGHT};
use super::query::EnvQuery;
use crate::dto::env::TreeDelta;
use crate::tree::{default_open, visible_rows, Expansion, Filter, Row, TreeIndex};

/// A change to what is open.
#[derive(Clone, Debug)]
enum Change {
    Set(String, bool),
    Many(Vec<String>),
    All(bool),
}

#[derive(Clone, Copy)]
pub struct EnvState {
    pub env: StoredValue<String>,
    pub index: RwSignal<Arc<TreeIndex>>,
    pub query: Memo<EnvQuery>,
    /// Expanded nodes (no filter). `None` until the user expands or collapses anything: the
    /// default view (root and its apps open, plus the path to a deep-linked node) applies.
    open: RwSignal<Option<HashSet<String>>>,
    /// Nodes folded while a filter is active (there, everything kept starts open).
    folded: RwSignal<HashSet<String>>,
    pub rows: Memo<Vec<Row>>,
    /// Rows of the whole view: `rows.len()` once the whole tree is loaded.
    pub total_rows: Memo<usize>,
    /// Expansion changes made before the whole tree arrived, replayed on it.
    pending: StoredValue<Vec<Change>>,
    /// The row holding the roving tabindex (a node id).
    pub active: RwSignal<Option<String>>,
    /// Set by keyboard moves: the active row focuses itself once rendered.
    pub focus_wanted: RwSignal<bool>,
    /// Focus was last inside the tree: a row re-rendered by a live update takes it back.
    pub tree_focused: RwSignal<bool>,
    pub scroll_top: RwSignal<f64>,
    pub viewport: RwSignal<f64>,
    pub scroller: NodeRef<Div>,
    go: Callback<(String, bool)>,
}

impl EnvState {
    /// Creates the state for a freshly loaded tree and provides it to the page's children.
    pub fn provide(env: String, initial: TreeIndex) -> Self {
        let params = use_query_map();
        let query = Memo::new(move |_| params.with(EnvQuery::from_params));
        let index = RwSignal::new(Arc::new(initial));
        let open = RwSignal::new(None::<HashSet<String>>);
        let folded = RwSignal::new(HashSet::new());
        let filter = Memo::new(move |_| query.with(|q| q.filter.clone()));
        let rows = Memo::new(move |_| {
            let index = index.get();
            if let Some(partial) = &index.partial {
                return partial.rows.clone();
            }
            let filter = filter.get();
            let default;
            let open_now = open.read();
            let open_set = match open_now.as_ref() {
                Some(set) => set,
                None => {
                    default = query.with(|q| default_open(&index, q.node.as_deref()));
                    &default
                }
            };
            folded.with(|folded| {
                visible_rows(
                    &index,
                    Expansion {
                        open: open_set,
                        folded,
                    },
                    &filter,
                )
            })
        });
        let total_rows = Memo::new(move |_| {
            index
                .with(|i| i.partial.as_ref().map(|p| p.total_rows))
                .unwrap_or_else(|| rows.with(Vec::len))
        });
        let navigate = use_navigate();
        let go = Callback::new(move |(url, push): (String, bool)| {
            navigate(
                &url,
                NavigateOptions {
                    replace: !push,
                    scroll: false,
                    ..Default::default()
                },
            )
        });
        let state = Self {
            env: StoredValue::new(env),
            index,
            query,
            open,
            folded,
            rows,
            total_rows,
            pending: StoredValue::new(Vec::new()),
            active: RwSignal::new(query.with_untracked(|q| q.node.clone())),
            focus_wanted: RwSignal::new(false),
            tree_focused: RwSignal::new(false),
            scroll_top: RwSignal::new(0.0),
            viewport: RwSignal::new(DEFAULT_VIEWPORT),
            scroller: NodeRef::new(),
            go,
        };
        // A new filter starts with everything it keeps open.
        Effect::new(move |prev: Option<Filter>| {
            let now = filter.get();
            if prev.is_some_and(|p| p != now) {
                folded.set(HashSet::new());
            }
            now
        });
        // A selected node (deep link, back button, click) is made visible and scrolled to.
        let selected = Memo::new(move |_| query.with(|q| q.node.clone()));
        Effect::new(move |_| {
            let Some(id) = selected.get() else {
                return;
            };
            state.reveal_path(&id);
            state.active.set(Some(id.clone()));
            state.scroll_to(&id, true);
        });
        provide_context(state);
        state
    }

    pub fn env(&self) -> String {
        self.env.get_value()
    }

    fn filtering(&self) -> bool {
        self.query.with_untracked(|q| q.filter.is_active())
    }

    /// The expanded set as it is now (the default until the user changed it).
    fn open_now(&self) -> HashSet<String> {
        self.open.get_untracked().unwrap_or_else(|| {
            self.query.with_untracked(|q| {
                self.index
                    .with_untracked(|i| default_open(i, q.node.as_deref()))
            })
        })
    }

    fn complete(&self) -> bool {
        self.index.with_untracked(|i| i.complete())
    }

    /// Swaps in a new tree (the whole one after the head, or a live update). Changes made on
    /// the head are replayed, and a selected node is brought into view again.
    /// Applies a live update's changed rows in place; `false` when it does not fit (then the
    /// whole tree is fetched).
    pub fn apply_delta(&self, delta: &TreeDelta) -> bool {
        let fits = self
            .index
            .with_untracked(|i| i.complete() && i.version == delta.from);
        if !fits {
            return false;
        }
        if delta.changed.is_empty() && delta.version == delta.from {
            return true;
        }
        // In place: the index is copied only if something else still holds it.
        let mut applied = false;
        self.index.maybe_update(|index| {
            applied = Arc::make_mut(index).apply(delta);
            applied
        });
        applied
    }

    pub fn set_tree(&self, index: TreeIndex) {
        let was_head = !self.complete();
        let complete = index.complete();
        self.index.set(Arc::new(index));
        if !(was_head && complete) {
            return;
        }
        for change in self
            .pending
            .try_update_value(std::mem::take)
            .unwrap_or_default()
        {
            self.change(change);
        }
        if let Some(id) = self.query.with_untracked(|q| q.node.clone()) {
            self.reveal_path(&id);
            self.scroll_to(&id, true);
        }
    }

    /// Applies a change to what is open, or keeps it for the whole tree.
    fn change(&self, change: Change) {
        if !self.complete() {
            self.pending.update_value(|p| p.push(change));
            return;
        }
        match change {
            Change::Set(id, expanded) => self.set_one(&id, expanded),
            Change::Many(ids) => self.open_many(ids),
            Change::All(true) => self.open_all(),
            Change::All(false) => self.fold_all(),
        }
    }

    /// Opens or closes one node.
    pub fn set_expanded(&self, id: &str, expanded: bool) {
        self.change(Change::Set(id.to_string(), expanded));
    }

    pub fn expand_many(&self, ids: Vec<String>) {
        self.change(Change::Many(ids));
    }

    pub fn expand_all(&self) {
        self.change(Change::All(true));
    }

    pub fn collapse_all(&self) {
        self.change(Change::All(false));
    }

    fn set_one(&self, id: &str, expanded: bool) {
        if self.filtering() {
            self.folded.update(|f| {
                if expanded {
                    f.remove(id);
                } else {
                    f.insert(id.to_string());
                }
            });
        } else {
            let mut open = self.open_now();
            if expanded {
                open.insert(id.to_string());
            } else {
                open.remove(id);
            }
            self.open.set(Some(open));
        }
    }

    fn open_many(&self, ids: Vec<String>) {
        if self.filtering() {
            self.folded
                .update(|f| ids.iter().for_each(|id| _ = f.remove(id)));
        } else {
            let mut open = self.open_now();
            open.extend(ids);
            self.open.set(Some(open));
        }
    }

    fn open_all(&self) {
        if self.filtering() {
            self.folded.set(HashSet::new());
        } else {
            self.open
                .set(Some(self.index.with_untracked(|i| i.all_parents())));
        }
    }

    fn fold_all(&self) {
        let all = self.index.with_untracked(|i| i.all_parents());
        if self.filtering() {
            self.folded.set(all);
        } else {
            self.open.set(Some(HashSet::new()));
        }
    }

    /// Opens every ancestor of `id` so its row shows.
    fn reveal_path(&self, id: &str) {
        if !self.complete() {
            // Done by `set_tree` once the whole tree is here.
            return;
        }
        let path = self.index.with_untracked(|i| i.ancestors(id));
        if path.is_empty() {
            return;
        }
        if self.filtering() {
            if path
                .iter()
                .any(|p| self.folded.with_untracked(|f| f.contains(p)))
            {
                self.folded
                    .update(|f| path.iter().for_each(|p| _ = f.remove(p)));
            }
        } else if let Some(open) = self.open.get_untracked() {
            if !path.iter().all(|p| open.contains(p)) {
                self.open_many(path);
            }
        }
    }

    /// Scrolls the tree so the row of `id` is in view (`center`: mid-viewport).
    pub fn scroll_to(&self, id: &str, center: bool) {
        let pos = self.rows.with_untracked(|rows| {
            self.index.with_untracked(|i| {
                rows.iter()
                    .position(|r| i.nodes[r.node].id == id)
                    .or_else(|| {
                        // Below the head: the head knows where the selected node is.
                        let partial = i.partial.as_ref()?;
                        let (selected, pos) = partial.selected_pos.as_ref()?;
                        (selected == id).then_some(*pos)
                    })
            })
        });
        if let Some(pos) = pos {
            self.scroll_to_pos(pos, center);
        }
    }

    pub fn scroll_to_pos(&self, pos: usize, center: bool) {
        let to = reveal(
            pos,
            self.scroll_top.get_untracked(),
            self.viewport.get_untracked(),
            center,
        );
        if let Some(to) = to {
            // Set both: the window follows at once, before the browser's scroll event.
            self.scroll_top.set(to);
            if let Some(el) = self.scroller.get_untracked() {
                el.set_scroll_top(to as i32);
            }
        }
    }

    /// Opens the side panel on `id` (a new history entry, so Back closes it again).
    pub fn select(&self, id: Option<String>) {
        if let Some(id) = &id {
            self.active.set(Some(id.clone()));
        }
        let env = self.env();
        let url = self.query.with_untracked(|q| q.with_node(id).url(&env));
        self.go.run((url, true));
    }

    /// Changes the filters (replacing the history entry: typing is not navigation).
    pub fn set_filter(&self, change: impl FnOnce(&mut Filter)) {
        let env = self.env();
        let url = self
            .query
            .with_untracked(|q| q.with_filter(change).url(&env));
        self.go.run((url, false));
    }

    /// Total height of the rows, for the scroll spacer.
    pub fn height(&self) -> f64 {
        self.total_rows.get() as f64 * ROW_HEIGHT
    }
}

pub fn use_env_state() -> EnvState {
    expect_context::<EnvState>()
}
