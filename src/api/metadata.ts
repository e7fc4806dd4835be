/**
 * What an `OPTIONS` request answers (DRF's `metadata.py`): the view's name and description,
 * the media types it renders and parses, and, for a view with a serializer, an `actions`
 * object describing the fields a client sends with `POST` and `PUT` — for each method the
 * user may perform (the permissions are checked as for that method, and for `PUT` the object
 * permissions on the looked-up object; a refusal leaves the method out, it does not fail the
 * request). The class is the view's `metadataClass`, else the `api.defaultMetadataClass`
 * setting; null in either disables it, and `OPTIONS` is then a 405, as in DRF.
 *
 * @module
 */
import {
  Http404,
  type HttpResponseBase,
  type MaybePromise,
  type Params,
  PermissionDenied,
} from '../web/index.ts';
import { isPromise } from '../web/utils/promise.ts';
import { APIException } from './exceptions.ts';
import type { Request } from './request.ts';
import { Response } from './response.ts';
import type { AnyField } from './serializers/composite.ts';
import { Field } from './serializers/field.ts';
import { FieldsPlan } from './serializers/plan.ts';
import { NestedField, planOf, type Serializer } from './serializers/serializer.ts';
import { SchemaPlan } from './serializers/standard.ts';
import type { APIView } from './views.ts';

/** The description of one field (DRF's keys, snake_case as on the wire). */
export interface FieldInfo {
  /** DRF's type label: `'string'`, `'integer'`, `'choice'`, `'nested object'`, `'field'`… */
  type: string;
  required: boolean;
  read_only?: boolean;
  label?: string;
  help_text?: string;
  min_length?: number;
  max_length?: number;
  min_value?: number;
  max_value?: number;
  max_digits?: number;
  decimal_places?: number;
  /** The item of a list (a `ListField`, a nested serializer with `many`). */
  child?: FieldInfo;
  /** The fields of a nested serializer. */
  children?: Record<string, FieldInfo>;
  choices?: Array<{ value: unknown; display_name: string }>;
}

/** A metadata scheme (DRF's `BaseMetadata`): the body of an `OPTIONS` answer. */
export interface Metadata {
  determineMetadata(request: Request, view: APIView): MaybePromise<Record<string, unknown>>;
}

/** A metadata class (the `metadataClass` of a view, the `api.defaultMetadataClass` setting). */
export type MetadataClass = new () => Metadata;

type AnySerializerClass = typeof Serializer<unknown, unknown, unknown>;
/** DRF's keys of the numeric options. */
type NumericKey = 'min_length' | 'max_length' | 'min_value' | 'max_value' | 'max_digits' | 'decimal_places';

/** The part of a generic view the actions need (any `GenericAPIView` or generic viewset). */
interface SerializingView {
  getSerializer(): unknown;
  getObject?(): Promise<unknown>;
}

/** The methods whose fields are described: the ones that take a body to create or replace. */
const ACTION_METHODS = ['POST', 'PUT'] as const;

/** `createdAt` / `created_at` → `Created at` (DRF makes a label of the field's name the same way). */
export function labelOf(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The refusals that leave an action out of the metadata (DRF: APIException, PermissionDenied, Http404). */
function isRefusal(error: unknown): boolean {
  return error instanceof APIException || error instanceof PermissionDenied || error instanceof Http404;
}

/**
 * DRF's default scheme. Subclass it to change a part: `getFieldInfo` for one field,
 * `determineActions` for which methods are described.
 */
export class SimpleMetadata implements Metadata {
  async determineMetadata(request: Request, view: APIView): Promise<Record<string, unknown>> {
    const metadata: Record<string, unknown> = {
      name: view.getViewName(),
      description: view.description,
      renders: view.getRenderers().map((r) => r.mediaType),
      parses: view.getParsers().map((p) => p.mediaType),
    };
    if (typeof (view as Partial<SerializingView>).getSerializer === 'function') {
      const actions = await this.determineActions(request, view as APIView & SerializingView);
      if (Object.keys(actions).length > 0) metadata.actions = actions;
    }
    return metadata;
  }

  /**
   * The fields of `POST` and `PUT`, for those of the two the view answers and the user may
   * perform: the view's permissions, checked as for that method, then for `PUT` the object
   * (looked up by `getObject`, which checks the object permissions). While a method is
   * checked, `request.method` says it (DRF's `clone_request`); the request is restored after.
   */
  async determineActions(
    request: Request,
    view: APIView & SerializingView,
  ): Promise<Record<string, Record<string, FieldInfo>>> {
    const actions: Record<string, Record<string, FieldInfo>> = {};
    const allowed = view.allowedMethods();
    for (const method of ACTION_METHODS) {
      if (!allowed.includes(method)) continue;
      Object.defineProperty(request, 'method', { value: method, configurable: true });
      try {
        await view.checkPermissions(request);
        if (method === 'PUT' && typeof view.getObject === 'function') await view.getObject();
      } catch (error) {
        if (isRefusal(error)) continue;
        throw error;
      } finally {
        // The own property shadowed the class's getter: removing it restores the real method.
        delete (request as { method?: string }).method;
      }
      actions[method] = this.getSerializerInfo(view.getSerializer());
    }
    return actions;
  }

  /**
   * The fields of a serializer (an instance, or a class), by name; a list serializer is
   * described by its child. A Standard Schema serializer is described from its JSON Schema
   * ({@link schemaFieldInfo}), else by its keys alone.
   */
  getSerializerInfo(serializer: unknown): Record<string, FieldInfo> {
    const child = (serializer as { child?: unknown } | null)?.child;
    const cls = (
      typeof serializer === 'function'
        ? serializer
        : typeof child === 'function'
          ? child
          : (serializer as object).constructor
    ) as AnySerializerClass;
    const plan = planOf(cls);
    const info: Record<string, FieldInfo> = {};
    if (plan instanceof FieldsPlan) {
      for (const [name, field] of Object.entries(plan.fields)) info[name] = this.getFieldInfo(field, name);
      return info;
    }
    const schema = cls.jsonSchema();
    const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
    if (properties !== undefined && typeof properties === 'object') {
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      for (const [name, property] of Object.entries(properties))
        info[name] = schemaFieldInfo(property, name, required.includes(name));
      return info;
    }
    const keys = plan instanceof SchemaPlan ? (plan.keys ?? []) : [];
    for (const name of keys)
      info[name] = { type: 'field', required: false, read_only: false, label: labelOf(name) };
    return info;
  }

  /** One field: its type label, whether required, its options and, for containers, what they hold. */
  getFieldInfo(field: AnyField, name: string): FieldInfo {
    const type = (field.constructor as typeof Field).metadataType;
    const options = field.options as Readonly<Record<string, unknown>>;
    const info: FieldInfo = { type, required: field.required, read_only: field.readOnly };
    // A list's or dict's child has no name, so no label (as DRF's).
    const label = typeof options.label === 'string' && options.label !== '' ? options.label : labelOf(name);
    if (label !== '') info.label = label;
    if (typeof options.helpText === 'string' && options.helpText !== '') info.help_text = options.helpText;
    for (const [option, key] of NUMERIC_OPTIONS) {
      const value = options[option];
      if (typeof value === 'number' && Number.isFinite(value)) info[key] = value;
    }
    if (field instanceof NestedField) {
      const children = this.getSerializerInfo(field.serializer);
      // With `many`, DRF's field is a list serializer: a plain field whose child is the nested object.
      if (field.many) {
        info.type = 'field';
        info.child = { type: 'nested object', required: true, read_only: false, children };
      } else info.children = children;
    } else {
      const child = (field as { child?: unknown }).child;
      if (child instanceof Field) info.child = this.getFieldInfo(child as AnyField, '');
    }
    const choices = options.choices;
    if (!field.readOnly && Array.isArray(choices))
      info.choices = choices.map((c: unknown) =>
        Array.isArray(c)
          ? { value: c[0], display_name: String(c[1]) }
          : { value: c, display_name: String(c) },
      );
    return info;
  }
}

/** The numeric options described, by option name → DRF's key. */
const NUMERIC_OPTIONS: ReadonlyArray<readonly [string, NumericKey]> = [
  ['minLength', 'min_length'],
  ['maxLength', 'max_length'],
  ['minValue', 'min_value'],
  ['maxValue', 'max_value'],
  ['maxDigits', 'max_digits'],
  ['decimalPlaces', 'decimal_places'],
];

/** JSON Schema string formats → DRF's type labels. */
const FORMAT_TYPES: Readonly<Record<string, string>> = {
  email: 'email',
  uri: 'url',
  url: 'url',
  date: 'date',
  'date-time': 'datetime',
  time: 'time',
  duration: 'duration',
  decimal: 'decimal',
};

/** JSON Schema types → DRF's type labels. */
const JSON_TYPES: Readonly<Record<string, string>> = {
  string: 'string',
  integer: 'integer',
  number: 'float',
  boolean: 'boolean',
  array: 'list',
  object: 'nested object',
};

/** The schema without its `null` alternative (`type: ['string', 'null']`, `anyOf: [{…}, {type: 'null'}]`). */
function withoutNull(schema: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  if (Array.isArray(schema.anyOf)) {
    const others = (schema.anyOf as Array<Record<string, unknown>>).filter((s) => s.type !== 'null');
    if (others.length === 1) return { ...schema, ...others[0], anyOf: undefined };
  }
  if (Array.isArray(schema.type)) {
    const others = (schema.type as string[]).filter((t) => t !== 'null');
    if (others.length === 1) return { ...schema, type: others[0] };
  }
  return schema;
}

/**
 * A field described from its JSON Schema (a Standard Schema serializer's, through its
 * library): the type from `type`/`format`/`enum`, `required` from the object's `required`,
 * `readOnly`, `title`/`description` as label and help text, the length and value bounds,
 * `items` as the child and `properties` as the children.
 */
export function schemaFieldInfo(
  property: Readonly<Record<string, unknown>>,
  name: string,
  required: boolean,
): FieldInfo {
  const schema = withoutNull(property);
  const jsonType = typeof schema.type === 'string' ? schema.type : undefined;
  const format = typeof schema.format === 'string' ? FORMAT_TYPES[schema.format] : undefined;
  const enumValues = Array.isArray(schema.enum) ? (schema.enum as unknown[]) : undefined;
  const type =
    enumValues !== undefined
      ? 'choice'
      : (format ?? (jsonType !== undefined ? (JSON_TYPES[jsonType] ?? 'field') : 'field'));
  const readOnly = schema.readOnly === true;
  const info: FieldInfo = { type, required: required && !readOnly, read_only: readOnly };
  const label = typeof schema.title === 'string' && schema.title !== '' ? schema.title : labelOf(name);
  if (label !== '') info.label = label;
  if (typeof schema.description === 'string' && schema.description !== '')
    info.help_text = schema.description;
  const bounds: ReadonlyArray<readonly [string, NumericKey]> = [
    ['minLength', 'min_length'],
    ['maxLength', 'max_length'],
    ['minItems', 'min_length'],
    ['maxItems', 'max_length'],
    ['minimum', 'min_value'],
    ['maximum', 'max_value'],
  ];
  for (const [keyword, key] of bounds) {
    const value = schema[keyword];
    if (typeof value === 'number' && Number.isFinite(value)) info[key] = value;
  }
  if (typeof schema.items === 'object' && schema.items !== null)
    info.child = schemaFieldInfo(schema.items as Record<string, unknown>, '', true);
  const properties = schema.properties;
  if (typeof properties === 'object' && properties !== null) {
    const inner = Array.isArray(schema.required) ? (schema.required as string[]) : [];
    info.children = {};
    for (const [key, value] of Object.entries(properties as Record<string, Record<string, unknown>>))
      info.children[key] = schemaFieldInfo(value, key, inner.includes(key));
  }
  if (enumValues !== undefined && !readOnly)
    info.choices = enumValues.map((value) => ({ value, display_name: String(value) }));
  return info;
}

/**
 * The `OPTIONS` answer of an API view: its metadata class's body, or, with none (the view's
 * `metadataClass` and the setting both null), the 405 of a method the view does not answer.
 */
export function metadataResponse(
  view: APIView,
  request: Request,
  params: Params,
  args: readonly string[],
): MaybePromise<HttpResponseBase> {
  // Undefined is unset (the next level decides); null is "no metadata".
  const setting = view.apiSettings.defaultMetadataClass;
  const Cls =
    view.metadataClass !== undefined ? view.metadataClass : setting !== undefined ? setting : SimpleMetadata;
  if (Cls === null) return view.httpMethodNotAllowed(request, params, args);
  const data = new Cls().determineMetadata(request, view);
  return isPromise(data) ? data.then((d) => new Response(d)) : new Response(data);
}
