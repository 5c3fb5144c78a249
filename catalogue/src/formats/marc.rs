//! marc: to be written (helper branch catalogue-formats).

use std::io::BufRead;

use super::{BrokenFile, ItemMapping, Records};

pub fn read<'a, R: BufRead + Send + 'a>(
    _input: R,
    _items: &'a ItemMapping,
) -> Result<Records<'a>, BrokenFile> {
    Err(BrokenFile::new("marc is not read yet"))
}
