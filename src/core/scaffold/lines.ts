/** Line arithmetic on the original text, for splicing without re-printing it. */

export function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** Offset just past the end of the line holding `offset` (after its newline). */
export function endOfLine(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl + 1;
}

/**
 * Where a block item starting at `start` (at column `col`) ends: after its last line that is
 * indented deeper than `col` — content, or a comment that sits inside the item. A blank line or a
 * comment at `col` or less followed by a shallower key belongs to what comes next.
 */
export function blockEnd(text: string, start: number, col: number, isSeqItem = false): number {
  let end = endOfLine(text, start);
  let pos = end;
  while (pos < text.length) {
    const next = endOfLine(text, pos);
    const line = text.slice(pos, next).replace(/\r?\n$/, '');
    const trimmed = line.trimStart();
    const indent = line.length - trimmed.length;
    // `key:` followed by `- item` at the key's own column (indentSeq off) is still the key's value.
    const seqAtCol = indent === col && /^-(\s|$)/.test(trimmed) && !isSeqItem;
    if (trimmed !== '') {
      if (indent <= col && !trimmed.startsWith('#') && !seqAtCol) break;
      if (indent > col || seqAtCol) end = next;
    }
    pos = next;
  }
  return end;
}
