//! Construction errors: the layers given to [`Overlay::new`](crate::Overlay::new) do not fit.

/// Why an overlay cannot be built from the given layers.
#[derive(Debug, thiserror::Error, Clone, Copy, PartialEq, Eq)]
pub enum OverlayError {
    /// The lower layer accepts changes. The overlay never writes to it, but if anything else
    /// could, copied-up files, whiteouts and merged listings would silently disagree with it.
    #[error(
        "the lower layer of an overlay must be read-only (its capabilities say it is writable); \
         wrap it with vfsbox_readonly::ReadOnly"
    )]
    LowerWritable,
    /// The upper layer refuses changes, so nothing could ever be copied up or whited out.
    #[error(
        "the upper layer of an overlay must be writable (its capabilities say it is read-only)"
    )]
    UpperReadOnly,
}
