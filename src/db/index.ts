/**
 * Portico's database layer: apps and models declared once in TypeScript, querysets with
 * Django's lookups, transactions per block or per request, and migrations, on SQLite
 * (`node:sqlite`) and PostgreSQL (`pg`), with Kysely underneath. See `docs/db/`.
 *
 * @module
 */
import './checks.ts';
import './migrations/checks.ts';
export {
  configureDatabases,
  ConnectionHandler,
  connections,
  type Database,
  type DatabaseSettings,
  type DatabasesSettings,
  databasesSettings,
} from './connection.ts';
export {
  DatabaseError,
  DataError,
  dbErrors,
  type DbErrorCodes,
  FieldError,
  IntegrityError,
  MultipleObjectsReturned,
  ObjectDoesNotExist,
  OperationalError,
  ProgrammingError,
  ProtectedError,
  TransactionManagementError,
  ValidationError,
} from './errors.ts';
export {
  Aggregate,
  and,
  Avg,
  Count,
  F,
  FExpression,
  Max,
  Min,
  not,
  or,
  Q,
  QNode,
  Sum,
  type WhereObject,
} from './expressions.ts';
export {
  AutoField,
  BigAutoField,
  BigIntegerField,
  BooleanField,
  CASCADE,
  CharField,
  type CharOptions,
  DateField,
  DateTimeField,
  type DateTimeOptions,
  DecimalField,
  type DecimalOptions,
  type DeconstructedField,
  DO_NOTHING,
  EmailField,
  Field,
  type FieldOptions,
  FloatField,
  ForeignKey,
  type ForeignKeyOptions,
  IntegerField,
  JSONField,
  ManyToManyField,
  type ManyToManyOptions,
  type JsonValue,
  type OnDelete,
  OneToOneField,
  PROTECT,
  RESTRICT,
  SET_DEFAULT,
  SET_NULL,
  SlugField,
  TextField,
  URLField,
  UUIDField,
  uuid4,
  type Validator,
  type Vendor,
} from './fields.ts';
export {
  allModels,
  App,
  type AppOptions,
  CheckConstraint,
  type Constraint,
  type CreateInput,
  type DB,
  defineApp,
  getModel,
  unregisterModels,
  type Index,
  type Instance,
  type MetaOptions,
  Model,
  type ModelClass,
  ModelMeta,
  type ModelTypes,
  type RowOf,
  type SaveOptions,
  UniqueConstraint,
} from './models.ts';
export {
  type FieldPath,
  type Lookup,
  Manager,
  ManyRelatedManager,
  QuerySet,
  type ValuesRow,
  type Where,
} from './query.ts';
export { nonAtomicRequests } from './requests.ts';
export { installedApps, installedAppsSettings } from './apps.ts';
export { detectChanges, nonInteractive, type Questioner } from './migrations/autodetector.ts';
export {
  appliedMigrations,
  type MigrateOptions,
  type MigrateResult,
  migrate,
  showMigrations,
  sqlForMigration,
} from './migrations/executor.ts';
export { migrations } from './migrations/index.ts';
export { loadGraph, MigrationGraph } from './migrations/loader.ts';
export { type MakeMigrationsOptions, makeMigrations, type NewMigration } from './migrations/make.ts';
export { type MigrationContext, type MigrationDefinition, Operation } from './migrations/operations.ts';
export { ModelState, ProjectState } from './migrations/state.ts';
export { type SquashOptions, squashMigrations } from './migrations/squash.ts';
export { SchemaEditor, type TableSpec } from './schema.ts';
export {
  dumpData,
  type DumpDataOptions,
  type FixtureObject,
  loadData,
  type LoadDataOptions,
  type LoadDataResult,
  serializeFixture,
} from './fixtures.ts';
export { getObjectOr404 } from './shortcuts.ts';
export { syncModels } from './sync.ts';
export { setUpTestDatabases } from './testing.ts';
export { postDelete, postMigrate, postSave, preDelete, preSave } from './signals.ts';
export {
  atomic,
  type AtomicOptions,
  captureQueries,
  executor,
  getRollback,
  inAtomicBlock,
  onCommit,
  rolledBack,
  setRollback,
} from './transaction.ts';
