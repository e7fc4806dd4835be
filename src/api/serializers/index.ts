/**
 * Serializers (DRF's `serializers`): declared with fields or a Standard Schema, typed end
 * to end, compiled once per class.
 *
 * @module
 */
export {
  FAIL,
  Field,
  type FieldFlags,
  type FieldOptions,
  type InlineCheck,
  type InlineRef,
  type Run,
  SKIP,
  type Site,
  type Validator,
  type ValidatorContext,
} from './field.ts';
export {
  BooleanField,
  CharField,
  type CharOptions,
  ChoiceField,
  type ChoiceOptions,
  DateField,
  DateTimeField,
  DecimalField,
  type DecimalOptions,
  EmailField,
  FloatField,
  IntegerField,
  type NumberOptions,
  SlugField,
  URLField,
  UUIDField,
} from './fields.ts';
export {
  type AnyField,
  DictField,
  type DictOptions,
  JSONField,
  type JsonValue,
  ListField,
  type ListOptions,
  SerializerMethodField,
} from './composite.ts';
export type { ObjectValidator } from './plan.ts';
export {
  type IsValidOptions,
  ListSerializer,
  NestedField,
  type NestedOptions,
  type SerializedData,
  Serializer,
  type SerializerArgs,
  type SerializerClass,
  type ValidatedData,
} from './serializer.ts';
export {
  type InferOutput,
  isStandardSchema,
  issuesToTree,
  type StandardIssue,
  type StandardSchemaV1,
} from './standard.ts';
export type { DataOf, FieldMap, ValidatedOf } from './types.ts';
export {
  buildField,
  ModelSerializer,
  type ModelFieldMap,
  type ModelFieldNames,
  type ModelSerializerClass,
  type ModelSerializerOptions,
} from './model.ts';
export {
  PrimaryKeyRelatedField,
  type RelatedOptions,
  SlugRelatedField,
  type SlugRelatedOptions,
} from './relations.ts';
export {
  UniqueTogetherValidator,
  type UniqueTogetherOptions,
  UniqueValidator,
  type UniqueValidatorOptions,
} from './validators.ts';
