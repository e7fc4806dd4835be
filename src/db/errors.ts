/**
 * The database layer's error codes, with their meaning.
 *
 * @module
 */
import { defineErrors, PorticoError } from '../tsgi/errors.ts';

/** The database layer's error codes. */
export const dbErrors = defineErrors('db', {
  PORTICO_ERR_DB_CONFIG: {
    message: 'The databases settings, an installed app or a model is declared wrongly.',
  },
  PORTICO_ERR_DB_INTEGRITY: {
    message:
      'The database refused a write that breaks a constraint (unique, not null, foreign key, check); the constraint or column is named.',
  },
  PORTICO_ERR_DB_DATA: {
    message:
      'A value does not fit its column (too long, out of range, not of the type); the column is named.',
  },
  PORTICO_ERR_DB_OPERATIONAL: {
    message:
      'The database could not run the statement (connection lost or refused, database locked, no such table).',
  },
  PORTICO_ERR_DB_PROGRAMMING: {
    message: 'The SQL sent is wrong for the schema (a syntax error, an unknown table or column).',
  },
  PORTICO_ERR_DB_DOES_NOT_EXIST: {
    message: 'get() found no row matching the query (answered 404 when uncaught in a view).',
    status: 404,
  },
  PORTICO_ERR_DB_MULTIPLE_OBJECTS: {
    message: 'get() found more than one row matching the query.',
  },
  PORTICO_ERR_DB_VALIDATION: {
    message: 'fullClean() found invalid field values; the error maps each field to its messages.',
    status: 400,
  },
  PORTICO_ERR_DB_PROTECTED: {
    message: 'A delete would remove rows that a PROTECT or RESTRICT foreign key still refers to.',
  },
  PORTICO_ERR_DB_TRANSACTION: {
    message:
      'A transaction was used wrongly (a durable atomic block inside another, a savepoint outside a transaction).',
  },
  PORTICO_ERR_DB_FIELD_ERROR: {
    message: 'A query names a field, lookup or relation the model does not have.',
  },
  PORTICO_ERR_DB_FIXTURE: {
    message:
      'A fixture cannot be dumped or loaded (bad JSON, an unknown model or field, a reference to a row that does not exist); the file and the object are named.',
  },
  PORTICO_ERR_DB_MIGRATION: {
    message:
      'A migration cannot be loaded, planned or applied (a missing dependency, a conflict, an operation that failed).',
  },
});

/** The database layer's codes, as a type. */
export type DbErrorCodes = typeof dbErrors;

declare module '../tsgi/errors.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging.
  interface ErrorCodes extends DbErrorCodes {}
}

/** Base of the errors the database reported (Django's `DatabaseError`). */
export class DatabaseError extends PorticoError {
  /** The database's vendor: `sqlite` or `postgres`. */
  readonly vendor: string;
  /** The constraint the database named (or the one Portico named for it), if any. */
  readonly constraint: string | null;
  /** The table concerned, when known. */
  readonly table: string | null;
  /** The columns concerned, when known. */
  readonly columns: readonly string[];

  constructor(
    code:
      | 'PORTICO_ERR_DB_INTEGRITY'
      | 'PORTICO_ERR_DB_DATA'
      | 'PORTICO_ERR_DB_OPERATIONAL'
      | 'PORTICO_ERR_DB_PROGRAMMING',
    message: string,
    details: {
      vendor: string;
      constraint?: string | null;
      table?: string | null;
      columns?: readonly string[];
      cause?: unknown;
    },
  ) {
    super(code, message, { cause: details.cause });
    this.name = 'DatabaseError';
    this.vendor = details.vendor;
    this.constraint = details.constraint ?? null;
    this.table = details.table ?? null;
    this.columns = details.columns ?? [];
  }
}

/** A constraint was violated: unique, not null, foreign key or check. */
export class IntegrityError extends DatabaseError {
  constructor(message: string, details: ConstructorParameters<typeof DatabaseError>[2]) {
    super('PORTICO_ERR_DB_INTEGRITY', message, details);
    this.name = 'IntegrityError';
  }
}

/** A value does not fit its column. */
export class DataError extends DatabaseError {
  constructor(message: string, details: ConstructorParameters<typeof DatabaseError>[2]) {
    super('PORTICO_ERR_DB_DATA', message, details);
    this.name = 'DataError';
  }
}

/** The database could not run the statement: a lost connection, a lock, a missing table. */
export class OperationalError extends DatabaseError {
  constructor(message: string, details: ConstructorParameters<typeof DatabaseError>[2]) {
    super('PORTICO_ERR_DB_OPERATIONAL', message, details);
    this.name = 'OperationalError';
  }
}

/** The SQL is wrong for the schema. */
export class ProgrammingError extends DatabaseError {
  constructor(message: string, details: ConstructorParameters<typeof DatabaseError>[2]) {
    super('PORTICO_ERR_DB_PROGRAMMING', message, details);
    this.name = 'ProgrammingError';
  }
}

/** `get()` found nothing. Each model has its own subclass, `Model.DoesNotExist`. */
export class ObjectDoesNotExist extends PorticoError {
  constructor(message: string) {
    super('PORTICO_ERR_DB_DOES_NOT_EXIST', message);
    this.name = 'DoesNotExist';
  }
}

/** `get()` found more than one row. */
export class MultipleObjectsReturned extends PorticoError {
  constructor(message: string) {
    super('PORTICO_ERR_DB_MULTIPLE_OBJECTS', message);
    this.name = 'MultipleObjectsReturned';
  }
}

/** `fullClean()` failed: `errors` maps each field (or `__all__`) to its messages. */
export class ValidationError extends PorticoError {
  readonly errors: Readonly<Record<string, readonly string[]>>;
  constructor(errors: Record<string, string[]>) {
    const summary = Object.entries(errors)
      .map(([field, messages]) => `${field}: ${messages.join(' ')}`)
      .join('; ');
    super('PORTICO_ERR_DB_VALIDATION', summary);
    this.name = 'ValidationError';
    this.errors = errors;
  }
}

/** A delete refused by a PROTECT or RESTRICT foreign key; `protectedObjects` are the referrers. */
export class ProtectedError extends PorticoError {
  readonly protectedObjects: readonly unknown[];
  constructor(message: string, protectedObjects: readonly unknown[]) {
    super('PORTICO_ERR_DB_PROTECTED', message);
    this.name = 'ProtectedError';
    this.protectedObjects = protectedObjects;
  }
}

/** A query names something the model does not have. */
export class FieldError extends PorticoError {
  constructor(message: string) {
    super('PORTICO_ERR_DB_FIELD_ERROR', message);
    this.name = 'FieldError';
  }
}

/** A transaction used wrongly. */
export class TransactionManagementError extends PorticoError {
  constructor(message: string) {
    super('PORTICO_ERR_DB_TRANSACTION', message);
    this.name = 'TransactionManagementError';
  }
}
