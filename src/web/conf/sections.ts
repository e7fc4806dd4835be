/**
 * Settings sections: how a layer (the database, sessions, CSRF, a project's own app)
 * declares its part of the settings — a top-level key, its defaults and a validator —
 * without the framework knowing it in advance. Sections are validated once, when the
 * settings are resolved at start-up; the first problem is a one-line
 * `ImproperlyConfigured` naming the key and where the settings came from.
 *
 * The validator is any Standard Schema (Zod, Valibot, ArkType) or Portico's own small one,
 * {@link settingsSchema}. The section's types reach `Settings` and `ResolvedSettings` by
 * declaration merging into {@link SettingsSections}:
 *
 * ```ts
 * export const blogSettings = defineSettingsSection('blog', settingsSchema({ pageSize: 20 }));
 * declare module 'portico/web' {
 *   interface SettingsSections { blog: typeof blogSettings }
 * }
 * ```
 *
 * @module
 */
import { ImproperlyConfigured } from '../exceptions.ts';
import type { StandardSchemaV1 } from './standard-schema.ts';

/**
 * The sections a project's settings may hold, by key. Empty here: each layer adds its own
 * by declaration merging (`interface SettingsSections { blog: typeof blogSettings }`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by declaration merging.
export interface SettingsSections {}

/** A declared section: its key and the schema that validates its value. */
export interface SettingsSection<K extends string = string, Input = unknown, Output = Input> {
  readonly key: K;
  readonly schema: StandardSchemaV1<Input, Output>;
}

/** What the settings accept under a section's key. */
export type SectionInput<S> = S extends SettingsSection<string, infer I, unknown> ? I : never;
/** What a section's key holds once resolved. */
export type SectionOutput<S> = S extends SettingsSection<string, unknown, infer O> ? O : never;

/** The settings keys of every declared section, with the types they accept. */
export type SectionInputs = { [K in keyof SettingsSections]?: SectionInput<SettingsSections[K]> };
/** The settings keys of every declared section, resolved. */
export type SectionOutputs = { readonly [K in keyof SettingsSections]: SectionOutput<SettingsSections[K]> };

const registry = new Map<string, SettingsSection>();

/**
 * Declares a settings section: the key it owns at the top level of the settings, and the
 * schema its value is validated with (the value is `undefined` when the project leaves the
 * key out, so a schema with defaults fills them in, and one without reports the key as
 * missing). Call it once, at module level, in the layer that reads the section.
 *
 * @throws ImproperlyConfigured when another section already owns the key.
 */
export function defineSettingsSection<const K extends string, Input, Output>(
  key: K,
  schema: StandardSchemaV1<Input, Output>,
): SettingsSection<K, Input, Output> {
  const existing = registry.get(key);
  if (existing !== undefined && existing.schema !== schema) {
    throw new ImproperlyConfigured(`settings section '${key}' is declared twice`);
  }
  if (typeof schema?.['~standard']?.validate !== 'function') {
    throw new ImproperlyConfigured(`settings section '${key}': the schema is not a Standard Schema`);
  }
  const section = Object.freeze({ key, schema });
  registry.set(key, section as SettingsSection);
  return section;
}

/** The sections declared so far, in declaration order. */
export function settingsSections(): readonly SettingsSection[] {
  return [...registry.values()];
}

function pathOf(issue: StandardSchemaV1.Issue): string {
  let out = '';
  for (const segment of issue.path ?? []) {
    const key = typeof segment === 'object' ? segment.key : segment;
    out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  }
  return out;
}

/** `' (in mysite/settings.ts)'`, or nothing when the source is unknown. */
export function inSource(source: string | undefined): string {
  return source === undefined ? '' : ` (in ${source})`;
}

/**
 * Validates `value` with a section's schema, synchronously (settings are resolved before
 * the first request).
 *
 * @throws ImproperlyConfigured naming `settings.KEY.PATH`, the problem and the source.
 */
export function validateSection<Output>(
  section: SettingsSection<string, unknown, Output>,
  value: unknown,
  source?: string,
): Output {
  const result = section.schema['~standard'].validate(value);
  if (result instanceof Promise) {
    throw new ImproperlyConfigured(
      `settings.${section.key}: its schema validates asynchronously; settings sections need a synchronous schema${inSource(source)}`,
    );
  }
  const issue = result.issues?.[0];
  if (issue !== undefined) {
    throw new ImproperlyConfigured(
      `settings.${section.key}${pathOf(issue)}: ${issue.message}${inSource(source)}`,
    );
  }
  return (result as StandardSchemaV1.SuccessResult<Output>).value;
}
