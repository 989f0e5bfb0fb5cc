// Rename / move: what the user typed, checked before the engine sees it (the engine checks again
// and its errors are shown the same way).

/** Why `to` cannot be a target for `from` (a secret or, with `folder`, a folder), or null. */
export function moveProblem(from: string, to: string, folder = false): string | null {
  const t = to.trim();
  if (!t) return folder ? 'Type the folder’s new path.' : 'Type the new path, folder/NAME.';
  if (t === from) return 'That is where it is already.';
  if (t.startsWith('/') || t.endsWith('/')) return 'A path neither starts nor ends with “/”.';
  const segs = t.split('/');
  if (segs.some((s) => s === '')) return 'A path has no empty parts (“//”).';
  if (segs.some((s) => s === '.' || s === '..')) return 'A path has no “.” or “..” parts.';
  if (!folder && segs.length < 2) return 'A secret lives in a folder: type folder/NAME.';
  if (folder && (t + '/').startsWith(from + '/')) return 'A folder cannot move into itself.';
  return null;
}

/** Where a secret lands when moved into `folder`, keeping its name (quoted if it needs it). */
export function intoFolder(path: string, folder: string): string {
  const name = path.match(/(?:^|\/)("[^"]*"|[^/]*)$/)![1];
  return `${folder.replace(/\/+$/, '')}/${name}`;
}
