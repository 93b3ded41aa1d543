/**
 * The changelog items of a field edit, as Jira writes them (reference section 6.2; the same items go into the
 * webhook and the history). What the reference and the captures show:
 * - version fields: one item per version added or removed, `field` "Fix Version" for fixVersions, `from`/`fromString`
 *   the removed version's id/name, `to`/`toString` the added one's [OBS];
 * - text fields (summary, description): `from`/`to` null, the old and new text in `fromString`/`toString` [OBS
 *   jira-server-webhooks/issue_updated_fields_updated.json];
 * - priority: ids and names [OBS, same capture];
 * - users: accountId (Cloud, repeated in `tmp*AccountId`) or user key (Server), and display names [OBS];
 * - labels: `from`/`to` null, the space-separated lists in the strings [reference table];
 * - a custom field is named by its field name, `fieldtype` "custom".
 * The rest is marked [GUESS] where it is decided.
 */
import { PRIORITIES, renderFieldValue } from './field-values.ts';
import { isVersionField, type FieldDef } from './fields.ts';
import type { UserDirectory } from './users.ts';
import { currentVersions } from './version-fields.ts';
import type { ChangelogItem, FakeUser, JiraDeploymentType } from './types.ts';

export interface ItemContext {
  deployment: JiraDeploymentType;
  users: UserDirectory;
  apiUrl: string;
}

/**
 * `field` of an item: a custom field's name; for system fields the id, except the version and component fields,
 * which Jira names in the singular ("Fix Version" [OBS]; "Version" for affects versions and "Component" [GUESS]).
 */
export function itemFieldName(field: FieldDef): string {
  if (field.custom) return field.name;
  return { fixVersions: 'Fix Version', versions: 'Version', components: 'Component' }[field.id] ?? field.id;
}

/** The items one field's change writes; none when the value did not change. */
export function fieldChangeItems(field: FieldDef, before: unknown, after: unknown, ctx: ItemContext): ChangelogItem[] {
  const base = { field: itemFieldName(field), fieldtype: field.custom ? ('custom' as const) : ('jira' as const), fieldId: field.id };
  if (isVersionField(field)) {
    // The reference documents one item per version for Fix Version; a version-picker custom field is written the
    // same way [GUESS]. Removals come before additions [GUESS: captures show one version per change].
    const old = currentVersions(before);
    const now = currentVersions(after);
    return [
      ...old.filter((v) => !now.some((n) => n.id === v.id)).map((v) => ({ ...base, from: v.id, fromString: v.name, to: null, toString: null })),
      ...now.filter((v) => !old.some((o) => o.id === v.id)).map((v) => ({ ...base, from: null, fromString: null, to: v.id, toString: v.name })),
    ];
  }
  if (field.schema.type === 'user') {
    const from = userOf(before, ctx.users);
    const to = userOf(after, ctx.users);
    if (sameUser(from, to, ctx.users)) return [];
    return [userItem(base, from, to, ctx)];
  }
  const from = describe(field, before, ctx.apiUrl);
  const to = describe(field, after, ctx.apiUrl);
  if (from.id === to.id && from.text === to.text) return [];
  return [{ ...base, from: from.id, fromString: from.text, to: to.id, toString: to.text }];
}

/** An assignee (or other user field) item. Cloud names users by accountId and repeats it in tmp*AccountId; Server by key. */
export function userItem(base: Pick<ChangelogItem, 'field' | 'fieldtype' | 'fieldId'>, before: FakeUser | null, after: FakeUser | null, ctx: Pick<ItemContext, 'deployment' | 'users'>): ChangelogItem {
  const from = before ? ctx.users.changelogId(before) : null;
  const to = after ? ctx.users.changelogId(after) : null;
  return {
    ...base,
    from,
    fromString: before?.displayName ?? null,
    to,
    toString: after?.displayName ?? null,
    ...(ctx.deployment === 'Cloud' ? { tmpFromAccountId: from, tmpToAccountId: to } : {}),
  };
}

function sameUser(a: FakeUser | null, b: FakeUser | null, users: UserDirectory): boolean {
  if (a === null || b === null) return a === b;
  return users.changelogId(a) === users.changelogId(b);
}

/** A user-field value: a {@link FakeUser}, or the `{accountId}` / `{name}` / `{key}` reference a client sent. */
function userOf(value: unknown, users: UserDirectory): FakeUser | null {
  if (typeof value !== 'object' || value === null) return null;
  const ref = value as Record<string, unknown>;
  if (typeof ref.displayName === 'string') return users.resolve(ref as unknown as FakeUser) ?? (ref as unknown as FakeUser);
  const id = [ref.accountId, ref.id, ref.name, ref.key].find((v): v is string => typeof v === 'string' && v !== '');
  if (id === undefined) return null;
  return users.resolve(id) ?? { accountId: id, name: id, key: id, displayName: id };
}

/** `from`/`fromString` (or `to`/`toString`) of a non-version, non-user value. */
function describe(field: FieldDef, value: unknown, apiUrl: string): { id: string | null; text: string | null } {
  const shown = renderFieldValue(field, value, apiUrl);
  if (shown === null || shown === undefined || shown === '') return { id: null, text: null };
  if (field.schema.type === 'priority') {
    const priority = PRIORITIES.find((p) => p.id === (shown as { id?: unknown }).id);
    return priority ? { id: priority.id, text: priority.name } : { id: null, text: null };
  }
  if (field.schema.type === 'option') {
    // Single selects: the option id and its value [GUESS: the reference says only "ids/raw" and "display values"].
    const option = shown as { id?: unknown; value?: unknown };
    return { id: typeof option.id === 'string' ? option.id : null, text: typeof option.value === 'string' ? option.value : null };
  }
  if (Array.isArray(shown)) {
    if (shown.length === 0) return { id: null, text: null };
    // Labels are space-separated [reference table]; other lists (multi-selects, components) comma-separated [GUESS].
    const separator = field.schema.items === 'string' ? ' ' : ',';
    return { id: null, text: shown.map(display).join(separator) };
  }
  // Text, numbers, dates: the raw value as text [OBS for text; GUESS for the others].
  return { id: null, text: display(shown) };
}

function display(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const named = value as { value?: unknown; name?: unknown; id?: unknown };
    return String(named.value ?? named.name ?? named.id ?? '');
  }
  return String(value);
}
