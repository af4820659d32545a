//! The overlay case list, in the style of the generic suite's `foreach_case!`.

/// Names every overlay case once, by topic, and hands the list to a callback macro:
/// `foreach_overlay_case!((callback) [extra tokens])`. The registry ([`overlay_cases`]) and
/// [`overlay_tests!`](crate::overlay_tests) both come from it; a case missing here is dead code, which the crate
/// denies.
///
/// [`overlay_cases`]: crate::overlay_cases
#[macro_export]
macro_rules! foreach_overlay_case {
    (($($callback:tt)*) [$($extra:tt)*]) => {
        $($callback)*! {
            [$($extra)*]
            copyup: [
                copyup_on_write_open,
                copyup_on_truncate_open,
                copyup_on_chmod_keeps_metadata,
                copyup_on_utimens,
                copyup_on_chown,
                copyup_on_link,
                copyup_on_setxattr_keeps_xattrs,
                copyup_on_removexattr,
                copyup_makes_parent_dirs,
                copyup_of_symlink_on_chown,
                handle_before_copyup_reads_lower,
                copyup_leaves_no_staging_names,
                refused_change_copies_nothing,
            ],
            whiteout: [
                unlink_lower_leaves_whiteout,
                rmdir_lower_dir_leaves_whiteout,
                rmdir_nonempty_lower_dir_is_enotempty,
                rmdir_then_mkdir_is_opaque,
                create_over_whiteout_replaces_it,
                reserved_names_are_einval,
                reserved_names_are_never_found,
                existing_layer_is_honoured,
                unlinked_lower_file_has_nlink_zero,
            ],
            merge: [
                listing_merges_upper_first,
                listing_resumes_with_stable_cookies,
                listing_inos_match_lookup,
                copyup_during_listing_lists_once,
                merged_dir_nlink_counts_both_layers,
            ],
            ino: [
                ino_stable_across_copyup,
                dir_ino_stable_across_copyup,
                upper_and_lower_inos_distinct,
            ],
            rename: [
                rename_lower_file_whites_out_old_name,
                rename_lower_dir_is_exdev,
                rename_merged_dir_is_exdev,
                exchange_with_lower_dir_is_exdev,
                rename_upper_dir_works,
                rename_dir_onto_lower_dir_is_opaque,
                rename_onto_nonempty_lower_dir_is_enotempty,
                rename_onto_lower_file_replaces_it,
                rename_to_reserved_name_is_einval,
                exchange_lower_files_copies_up,
            ],
        }
    };
}
