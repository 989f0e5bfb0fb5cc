// Toasts: short notes about what just happened ("Copied", "Moved to the trash — Undo"), shown
// at the bottom of the pane where the user acted. A tiny store the Toasts component renders.
export interface Toast {
  id: number;
  text: string;
  kind: 'note' | 'error';
  action?: { label: string; run: () => void };
  /** The secrets it is about: a toast whose Undo they have outdated can be taken away. */
  about?: string[];
}

let items: Toast[] = [];
let next = 1;
const subscribers = new Set<(t: Toast[]) => void>();
const emit = () => subscribers.forEach((f) => f(items));

export function subscribe(f: (t: Toast[]) => void): () => void {
  subscribers.add(f);
  f(items);
  return () => subscribers.delete(f);
}

export function dismiss(id: number) {
  items = items.filter((t) => t.id !== id);
  emit();
}

/** Forgets the toasts about any of `paths` (restored from the Trash: "Undo" would fail). */
export function dismissAbout(paths: string[]) {
  items = items.filter((t) => !t.about?.some((p) => paths.includes(p)));
  emit();
}

/** Forgets every toast (on lock: they may name secrets). */
export function clearToasts() {
  items = [];
  emit();
}

/** Shows a toast for `ms` (longer when it offers an action such as Undo). */
export function toast(text: string, opts: { kind?: 'note' | 'error'; action?: Toast['action']; ms?: number; about?: string[] } = {}): number {
  const t: Toast = { id: next++, text, kind: opts.kind ?? 'note', action: opts.action, about: opts.about };
  items = [...items.slice(-3), t];
  emit();
  setTimeout(() => dismiss(t.id), opts.ms ?? (t.action ? 8000 : 4000));
  return t.id;
}

/** The text to show for a failure: the app's own words, never advice for the CLI. */
export function errorText(e: unknown): string {
  return appWords(messageOf(e));
}

/** A failure's message: an Error, or an IpcError-shaped object straight from the shell (the
 *  vault status carries one), never "[object Object]". */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (e === null || typeof e !== 'object') return String(e);
  const { message, reason, code } = e as { message?: unknown; reason?: unknown; code?: unknown };
  const text = [message, reason, code].find((x) => typeof x === 'string' && x !== '');
  if (text !== undefined) return text as string;
  try {
    return JSON.stringify(e) ?? 'unknown error';
  } catch {
    return 'unknown error';
  }
}

/** Engine messages can name CLI flags and commands; the app says what to click instead. */
const APP_WORDS: [RegExp, string][] = [
  [/pass --expand to interpolate/g, 'turn on "Expand ${VAR} references" to interpolate'],
  [/\(--skip-existing\)/g, '(choose "keep mine")'],
  [/use a passphrase vault \(`hush init --passphrase`\)/g, 'choose a passphrase vault'],
  [/run `hush recovery restore` with your recovery passphrase/g, 'your recovery passphrase can restore it'],
  [/use --format json/g, 'export as JSON'],
  [/\(remove it first with `hush remote rm`\)/g, '(forget it first)'],
  [/; see `hush remote ls`, or add one with `hush remote add`/g, ''],
  [/for a private CA pass --ca-cert FILE or set VAULT_CACERT, or --skip-verify for a dev server/g, 'for a private CA choose its certificate file when adding the remote, or skip verification for a dev server'],
  [/check --mount and/g, 'check the KV mount and'],
  [/store one with `hush remote set NAME --new-credential` \(read from stdin or a prompt\), set VAULT_TOKEN, or run `vault login`\/`bao login` \(~\/\.vault-token\)/g, 'give the remote a token with Edit, or set VAULT_TOKEN'],
  [/rerun to resume \(add --continue-on-error to go past failures\)/g, 'run it again to resume'],
  [/; run `hush audit --verify`/g, '; see the Audit log'],
  [/run `hush unlock` \(or set HUSH_PASSPHRASE\) first/g, 'unlock it first'],
  [/ \(consider `hush recovery set`\)/g, ''],
  [/ \(a command: run it again\)/g, ''],
  // envguard's flag on import previews and remote plans: the app stores such a name, only the
  // CLI's `hush run` hands it to a program, and only when told to.
  [/: `hush run` refuses it unless you pass --allow-env (\S+) \(it could run code on this machine\)/g,
    ': it is stored like any other secret, but it could run code on this machine, so the command line\'s `hush run` hands it to a program only when allowed by name (`hush run --allow-env $1 -- …`)'],
  [/--keep-(local|remote)/g, '"keep $1"'],
  [/`hush remote set \S+ --namespace ([^`]+)` stores it/g, 'Edit stores it as the namespace'],
];

export function appWords(msg: string): string {
  return APP_WORDS.reduce((m, [re, to]) => m.replace(re, to), msg);
}
