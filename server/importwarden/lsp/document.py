"""The server's copy of an open document, with lines counted exactly as LSP counts them.

pygls' ``TextDocument`` applies incremental edits over ``str.splitlines``, which also ends a
line at ``\\f``, ``\\v``, ``\\x1c``-``\\x1e``, ``\\x85``, U+2028 and U+2029. The client counts
only ``\\r\\n``, ``\\r`` and ``\\n``, so after one edit in a file holding a form feed the two
copies differ. Here every client position goes through ``importwarden.lines.LineIndex`` (the
line index the engine uses) and ``convert.column_from_client`` (the negotiated encoding), and
an edit is one splice of the text.
"""

from __future__ import annotations

from typing import Sequence

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

from importwarden.lines import LineIndex
from importwarden.lsp.convert import column_from_client, encoding_name


class LspTextDocument(TextDocument):
    """A ``TextDocument`` whose lines are LSP's."""

    _index: LineIndex | None = None

    def _line_index(self) -> LineIndex:
        source = self.source
        if self._index is None or self._index.text is not source:
            self._index = LineIndex(source)
        return self._index

    def offset_at(self, position: types.Position) -> int:
        """The code-point offset of a client position. A line past the end means the end of
        the text; a column past the end of its line, the end of the line (as LSP asks)."""
        index = self._line_index()
        if position.line >= index.line_count:
            return len(index.text)
        encoding = encoding_name(self.position_codec.encoding)
        column = column_from_client(index.line(position.line), position.character, encoding)
        return index.offset(position.line, column, clamp=True)

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        start = self.offset_at(change.range.start)
        end = max(start, self.offset_at(change.range.end))
        source = self.source
        new = self._source = source[:start] + change.text + source[end:]
        if self._index is not None and self._index.text is source:
            self._index = self._index.spliced(new, start, end, len(change.text))

    @property
    def lines(self) -> Sequence[str]:
        """Lines with their terminators, split where LSP splits them (pygls' own helpers,
        ``word_at_position`` and friends, read these)."""
        index = self._line_index()
        starts = [*index.line_starts, len(index.text)]
        lines = [index.text[a:b] for a, b in zip(starts, starts[1:])]
        return tuple(lines[:-1] if lines and not lines[-1] else lines)


class LspWorkspace(Workspace):
    """pygls' ``Workspace``, creating ``LspTextDocument`` s."""

    @classmethod
    def like(cls, workspace: Workspace) -> "LspWorkspace":
        """The same workspace (root, folders, sync kind, encoding) as ``workspace``, which
        pygls has just built at ``initialize`` and which holds no documents yet."""
        return cls(workspace.root_uri, workspace._sync_kind, list(workspace.folders.values()),
                   workspace.position_encoding)

    def _create_text_document(self, doc_uri: str, source: str | None = None,
                              version: int | None = None, language_id: str | None = None
                              ) -> TextDocument:
        return LspTextDocument(doc_uri, source=source, version=version,
                               language_id=language_id, sync_kind=self._sync_kind,
                               position_codec=self.position_codec)
