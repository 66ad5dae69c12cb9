//! Source files and byte spans, so every stage can point a diagnostic at file:line:column.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use miette::{MietteError, SourceCode, SourceSpan, SpanContents};

/// The largest file azplan reads as a spec or values file: far above any real stack, far below
/// what would hurt the machine.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a spec or values file as text, refusing one larger than [`MAX_FILE_BYTES`].
pub fn read_text(path: &Path) -> std::io::Result<String> {
    read_bounded(path, MAX_FILE_BYTES)
}

/// Reads a file as text, refusing one larger than `limit` bytes (read with a bound, so a device
/// or an endless pipe cannot exhaust memory either).
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    // Sized from the file's length (capped at the limit, a file may grow while it is read):
    // grown by doubling, a 2 MB live file took 4 MB and a copy at each step.
    let expected = file.metadata().map_or(0, |m| m.len().min(limit + 1));
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0) + 1);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB",
            limit / 1024 / 1024
        )));
    }
    String::from_utf8(bytes)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: saturate(start),
            end: saturate(end.max(start)),
        }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    pub fn to_source_span(self) -> SourceSpan {
        SourceSpan::new((self.start as usize).into(), self.len())
    }
}

fn saturate(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// One loaded file: its display name (as given on the command line) and its text.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub name: String,
    pub text: String,
    /// Byte offset of every line's start, built on first use: finding a line is then a binary
    /// search, so reporting thousands of diagnostics in a large file stays linear.
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(path: &Path, name: String, text: String) -> SourceFile {
        SourceFile {
            path: path.to_path_buf(),
            name,
            text,
            line_starts: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// 0-based index of the line holding a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts()
            .partition_point(|start| *start <= offset)
            .saturating_sub(1)
    }

    /// 1-based line and column of a byte offset, columns counted in characters.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, (offset as usize).min(self.text.len()));
        let line = self.line_of(offset);
        let line_start = self.line_starts()[line];
        let col = self.text[line_start..offset].chars().count() + 1;
        (line + 1, col)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Every file of a stack, addressed by [`FileId`]. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<Arc<SourceFile>>,
}

impl SourceMap {
    pub fn add(&mut self, path: &Path, name: String, text: String) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(Arc::new(SourceFile::new(path, name, text)));
        id
    }

    pub fn file(&self, id: FileId) -> &Arc<SourceFile> {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &Arc<SourceFile>)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// "file:line:column" of a span's start.
    pub fn location(&self, span: Span) -> String {
        let file = self.file(span.file);
        let (line, col) = file.line_col(span.start);
        format!("{}:{line}:{col}", file.name)
    }

    pub fn named_source(&self, id: FileId) -> FileSource {
        FileSource(self.file(id).clone())
    }
}

/// A file as miette source code, named so reports show its path.
#[derive(Debug, Clone)]
pub struct FileSource(Arc<SourceFile>);

impl SourceCode for FileSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // miette finds lines by scanning the text from its start, which is linear per
        // diagnostic. Hand it only the lines around the span, found through the line table,
        // and shift what it answers back to positions in the whole file.
        let file = &self.0;
        let text = &file.text;
        let start = span.offset().min(text.len());
        let end = (span.offset() + span.len()).min(text.len());
        let starts = file.line_starts();
        let first_line = file.line_of(start).saturating_sub(context_lines_before);
        let last_line = file.line_of(end.saturating_sub(1).max(start)) + context_lines_after + 1;
        let window_start = starts[first_line];
        let window_end = starts.get(last_line + 1).copied().unwrap_or(text.len());
        let window = &text[window_start..window_end];
        let local = SourceSpan::new((start - window_start).into(), end - start);
        let contents = window.read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            file.name.clone(),
            contents.data(),
            SourceSpan::new(
                (contents.span().offset() + window_start).into(),
                contents.span().len(),
            ),
            contents.line() + first_line,
            contents.column(),
            contents.line_count() + first_line,
        )))
    }
}
