//! The allocator option Atrium sets for the first catalog load (`util::PromptRelease`), in a
//! test binary of its own: the option is process-wide, and other tests load catalogs.

use atrium_server::util::{PromptRelease, MI_OPTION_PURGE_DELAY};

fn purge_delay() -> std::ffi::c_long {
    // SAFETY: reading an option takes no pointers.
    unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }
}

#[test]
fn prompt_release_sets_the_purge_delay_to_zero_and_puts_it_back() {
    let before = purge_delay();
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        assert_eq!(
            before, 1000,
            "mimalloc's default purge delay (ms): the option's index moved"
        );
    }
    let first = PromptRelease::start();
    assert_eq!(purge_delay(), 0);
    let second = PromptRelease::start();
    drop(first);
    assert_eq!(purge_delay(), 0, "still 0 while one is alive");
    drop(second);
    assert_eq!(purge_delay(), before);
}
