//! Policy enforcement as one provider wrapper: path rules (hide, deny, read-only, allow),
//! limits (file size, bytes written, open files) and the audit log.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
