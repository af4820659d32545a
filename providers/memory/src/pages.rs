//! File contents as a sparse map of fixed-size pages, so a file costs only what was written.
//!
//! Invariant: every byte of a page at or past `size` is zero, so extending a file (by a write
//! past the end or a larger size) never exposes stale data.

use crate::quota::Quota;
use std::collections::BTreeMap;
use vfsbox_api::{Errno, SeekHole};

/// The unit of allocation and accounting, the page size of tmpfs.
pub(crate) const PAGE_SIZE: usize = 4096;
const PAGE: u64 = PAGE_SIZE as u64;

/// The largest file size, `MAX_LFS_FILESIZE` on 64-bit Linux.
pub(crate) const MAX_FILE_SIZE: u64 = i64::MAX as u64;

/// The data of one regular file.
#[derive(Debug, Default)]
pub(crate) struct FileData {
    size: u64,
    pages: BTreeMap<u64, Box<[u8]>>,
}

fn zeroed_page() -> Box<[u8]> {
    vec![0u8; PAGE_SIZE].into_boxed_slice()
}

impl FileData {
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Pages allocated (written or fallocated, holes excluded).
    pub(crate) fn page_count(&self) -> u64 {
        self.pages.len() as u64
    }

    /// Copies bytes at `offset` into `buf`; holes read as zeros. Returns the count copied.
    pub(crate) fn read(&self, offset: u64, buf: &mut [u8]) -> usize {
        if offset >= self.size || buf.is_empty() {
            return 0;
        }
        let len = (self.size - offset).min(buf.len() as u64) as usize;
        let buf = &mut buf[..len];
        let end = offset + len as u64;
        let mut filled = 0usize; // bytes of `buf` written so far
        for (&index, page) in self.pages.range(offset / PAGE..=(end - 1) / PAGE) {
            let page_start = index * PAGE;
            let from = page_start.max(offset);
            let to = (page_start + PAGE).min(end);
            let at = (from - offset) as usize;
            buf[filled..at].fill(0);
            let n = (to - from) as usize;
            let in_page = (from - page_start) as usize;
            buf[at..at + n].copy_from_slice(&page[in_page..in_page + n]);
            filled = at + n;
        }
        buf[filled..].fill(0);
        len
    }

    /// Writes `data` at `offset`, allocating pages as it goes. Stops early (a short write) at
    /// the first page the quota refuses or at the largest file size.
    ///
    /// # Errors
    /// `EFBIG` if `offset` is at or past the largest file size; `ENOSPC` if not one byte fits.
    pub(crate) fn write(
        &mut self,
        offset: u64,
        data: &[u8],
        quota: &Quota,
    ) -> Result<usize, Errno> {
        if data.is_empty() {
            return Ok(0);
        }
        if offset >= MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let len = (data.len() as u64).min(MAX_FILE_SIZE - offset) as usize;
        let mut done = 0usize;
        while done < len {
            let pos = offset + done as u64;
            let index = pos / PAGE;
            let in_page = (pos % PAGE) as usize;
            let n = (PAGE_SIZE - in_page).min(len - done);
            match self.pages.entry(index) {
                std::collections::btree_map::Entry::Occupied(page) => {
                    page.into_mut()[in_page..in_page + n].copy_from_slice(&data[done..done + n]);
                }
                std::collections::btree_map::Entry::Vacant(slot) => {
                    if !quota.take_pages(1) {
                        break;
                    }
                    if n == PAGE_SIZE {
                        // A new page written whole: copied once, not zeroed first.
                        slot.insert(data[done..done + n].into());
                    } else {
                        slot.insert(zeroed_page())[in_page..in_page + n]
                            .copy_from_slice(&data[done..done + n]);
                    }
                }
            }
            done += n;
        }
        if done == 0 {
            return Err(Errno::ENOSPC);
        }
        self.size = self.size.max(offset + done as u64);
        Ok(done)
    }

    /// Sets the size: shrinking frees whole pages past it and zeroes the tail of the last one;
    /// growing leaves a hole.
    pub(crate) fn set_size(&mut self, size: u64, quota: &Quota) {
        if size < self.size {
            let keep = size.div_ceil(PAGE);
            let freed = self.pages.split_off(&keep);
            quota.give_pages(freed.len() as u64);
            drop(freed);
            self.zero_range(size, keep * PAGE);
        }
        self.size = size;
    }

    /// Frees every page (the file is being destroyed).
    pub(crate) fn clear(&mut self, quota: &Quota) {
        quota.give_pages(self.page_count());
        self.pages = BTreeMap::new();
        self.size = 0;
    }

    /// Zeroes bytes `[from, to)` in allocated pages, leaving holes alone.
    fn zero_range(&mut self, from: u64, to: u64) {
        if from >= to {
            return;
        }
        for (&index, page) in self.pages.range_mut(from / PAGE..=(to - 1) / PAGE) {
            let start = index * PAGE;
            let a = (from.max(start) - start) as usize;
            let b = (to.min(start + PAGE) - start) as usize;
            page[a..b].fill(0);
        }
    }

    /// Allocates zeroed pages for `[offset, offset + len)`; all or nothing. Extends the size
    /// to the end of the range unless `keep_size`. The caller has checked the range.
    ///
    /// # Errors
    /// `ENOSPC` if the quota cannot hold the missing pages.
    pub(crate) fn allocate(
        &mut self,
        offset: u64,
        len: u64,
        keep_size: bool,
        quota: &Quota,
    ) -> Result<(), Errno> {
        let end = offset + len;
        let (first, last) = (offset / PAGE, (end - 1) / PAGE);
        let present = self.pages.range(first..=last).count() as u64;
        let missing = (last - first + 1) - present;
        if !quota.take_pages(missing) {
            return Err(Errno::ENOSPC);
        }
        if missing > 0 {
            for index in first..=last {
                self.pages.entry(index).or_insert_with(zeroed_page);
            }
        }
        if !keep_size && end > self.size {
            self.size = end;
        }
        Ok(())
    }

    /// Deallocates `[offset, offset + len)`: whole pages are freed, partial ones zeroed. The
    /// size is kept.
    pub(crate) fn punch_hole(&mut self, offset: u64, len: u64, quota: &Quota) {
        let end = offset.saturating_add(len);
        let (first_whole, end_whole) = (offset.div_ceil(PAGE), end / PAGE);
        if first_whole < end_whole {
            let whole: Vec<u64> = self
                .pages
                .range(first_whole..end_whole)
                .map(|(&i, _)| i)
                .collect();
            quota.give_pages(whole.len() as u64);
            for index in whole {
                self.pages.remove(&index);
            }
        }
        self.zero_range(offset, end);
    }

    /// `SEEK_DATA`/`SEEK_HOLE` over the page map; allocated pages are data.
    ///
    /// # Errors
    /// `ENXIO` if `offset` is at or past the end of file, or no data follows it.
    pub(crate) fn seek(&self, offset: u64, what: SeekHole) -> Result<u64, Errno> {
        if offset >= self.size {
            return Err(Errno::ENXIO);
        }
        let index = offset / PAGE;
        match what {
            SeekHole::Data => match self.pages.range(index..).next() {
                Some((&i, _)) if i * PAGE < self.size => Ok((i * PAGE).max(offset)),
                _ => Err(Errno::ENXIO),
            },
            SeekHole::Hole => {
                let mut next = index;
                for (&i, _) in self.pages.range(index..) {
                    if i != next {
                        break;
                    }
                    next = i + 1;
                }
                Ok(next.saturating_mul(PAGE).clamp(offset, self.size))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unlimited() -> Quota {
        Quota::new(None, None)
    }

    #[test]
    fn holes_read_as_zeros_and_cost_nothing() {
        let quota = unlimited();
        let mut file = FileData::default();
        assert_eq!(file.write(10_000, b"abc", &quota), Ok(3));
        assert_eq!(file.size(), 10_003);
        assert_eq!(file.page_count(), 1);
        let mut buf = vec![1u8; 20_000];
        assert_eq!(file.read(0, &mut buf), 10_003);
        assert!(buf[..10_000].iter().all(|&b| b == 0));
        assert_eq!(&buf[10_000..10_003], b"abc");
    }

    #[test]
    fn write_spanning_pages_round_trips() {
        let quota = unlimited();
        let mut file = FileData::default();
        let data: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        assert_eq!(file.write(4000, &data, &quota), Ok(10_000));
        let mut back = vec![0u8; 10_000];
        assert_eq!(file.read(4000, &mut back), 10_000);
        assert_eq!(back, data);
        assert_eq!(file.page_count(), 4);
    }

    #[test]
    fn shrink_zeroes_tail_so_regrowth_reads_zeros() {
        let quota = unlimited();
        let mut file = FileData::default();
        file.write(0, &[7u8; 8192], &quota).unwrap();
        file.set_size(100, &quota);
        assert_eq!(file.page_count(), 1);
        assert_eq!(quota.pages(), 1);
        file.set_size(8192, &quota);
        let mut buf = [9u8; 200];
        file.read(0, &mut buf);
        assert!(buf[..100].iter().all(|&b| b == 7));
        assert!(buf[100..].iter().all(|&b| b == 0));
    }

    #[test]
    fn seek_data_and_hole() {
        let quota = unlimited();
        let mut file = FileData::default();
        file.write(PAGE * 2, b"x", &quota).unwrap();
        file.set_size(PAGE * 5, &quota);
        assert_eq!(file.seek(0, SeekHole::Data), Ok(PAGE * 2));
        assert_eq!(file.seek(0, SeekHole::Hole), Ok(0));
        assert_eq!(file.seek(PAGE * 2 + 5, SeekHole::Hole), Ok(PAGE * 3));
        assert_eq!(file.seek(PAGE * 3, SeekHole::Data), Err(Errno::ENXIO));
        assert_eq!(file.seek(PAGE * 5, SeekHole::Hole), Err(Errno::ENXIO));
    }

    #[test]
    fn allocate_is_all_or_nothing_and_punch_frees() {
        let quota = Quota::new(Some(PAGE * 3), None);
        let mut file = FileData::default();
        assert_eq!(
            file.allocate(0, PAGE * 4, false, &quota),
            Err(Errno::ENOSPC)
        );
        assert_eq!(quota.pages(), 0);
        assert_eq!(file.allocate(0, PAGE * 3, true, &quota), Ok(()));
        assert_eq!(file.size(), 0);
        assert_eq!(quota.pages(), 3);
        file.set_size(PAGE * 3, &quota);
        file.write(0, &[5u8; 3 * PAGE_SIZE], &quota).unwrap();
        file.punch_hole(10, PAGE * 2, &quota);
        assert_eq!(file.page_count(), 2);
        assert_eq!(quota.pages(), 2);
        let mut buf = vec![1u8; 3 * PAGE_SIZE];
        file.read(0, &mut buf);
        assert!(buf[..10].iter().all(|&b| b == 5));
        assert!(buf[10..(2 * PAGE_SIZE + 10)].iter().all(|&b| b == 0));
        assert!(buf[(2 * PAGE_SIZE + 10)..].iter().all(|&b| b == 5));
    }

    #[test]
    fn writes_stop_at_the_largest_file_size() {
        let quota = unlimited();
        let mut file = FileData::default();
        assert_eq!(file.write(MAX_FILE_SIZE, b"a", &quota), Err(Errno::EFBIG));
        assert_eq!(file.write(MAX_FILE_SIZE - 2, b"abcd", &quota), Ok(2));
        assert_eq!(file.size(), MAX_FILE_SIZE);
    }
}
