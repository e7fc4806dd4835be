/**
 * Query expressions: `Q` objects combining conditions with `or`/`and`/`not`, the
 * aggregates (`Count`, `Sum`, `Avg`, `Min`, `Max`) and `F` references to a field.
 *
 * @module
 */

/** A condition: field lookups joined by AND (`{ name__icontains: 'a', active: true }`). */
export type WhereObject = Readonly<Record<string, unknown>>;

/** A tree of conditions (Django's `Q`). */
export class QNode {
  readonly connector: 'AND' | 'OR';
  readonly children: ReadonlyArray<QNode | WhereObject>;
  readonly negated: boolean;
  constructor(connector: 'AND' | 'OR', children: ReadonlyArray<QNode | WhereObject>, negated = false) {
    this.connector = connector;
    this.children = children;
    this.negated = negated;
  }
  /** This or the other conditions. */
  or(...others: ReadonlyArray<QNode | WhereObject>): QNode {
    return new QNode('OR', [this, ...others]);
  }
  /** This and the other conditions. */
  and(...others: ReadonlyArray<QNode | WhereObject>): QNode {
    return new QNode('AND', [this, ...others]);
  }
  /** The negation of this condition. */
  not(): QNode {
    return new QNode(this.connector, this.children, !this.negated);
  }
}

/** A condition from lookups: `Q({ name: 'a' }).or({ name: 'b' })`. */
export function Q(where: WhereObject = {}): QNode {
  return new QNode('AND', [where]);
}
/** Any of the conditions. */
export function or(...conditions: ReadonlyArray<QNode | WhereObject>): QNode {
  return new QNode('OR', conditions);
}
/** All of the conditions. */
export function and(...conditions: ReadonlyArray<QNode | WhereObject>): QNode {
  return new QNode('AND', conditions);
}
/** None of the conditions (their conjunction, negated). */
export function not(...conditions: ReadonlyArray<QNode | WhereObject>): QNode {
  return new QNode('AND', conditions, true);
}

/** An aggregate over a field path (`Count('project')`, `Sum('price')`). */
export class Aggregate<T = unknown> {
  declare readonly __result: T;
  readonly fn: 'count' | 'sum' | 'avg' | 'min' | 'max';
  readonly path: string;
  readonly distinct: boolean;
  constructor(fn: Aggregate['fn'], path: string, distinct = false) {
    this.fn = fn;
    this.path = path;
    this.distinct = distinct;
  }
}

/** The number of rows (`'*'`) or of non-null values of a path. */
export function Count(path = '*', options: { distinct?: boolean } = {}): Aggregate<number> {
  return new Aggregate('count', path, options.distinct === true);
}
/** The sum (a string for decimals, null over no rows). */
export function Sum(path: string): Aggregate<number | string | null> {
  return new Aggregate('sum', path);
}
/** The average, as a number (null over no rows). */
export function Avg(path: string): Aggregate<number | null> {
  return new Aggregate('avg', path);
}
/** The smallest value. */
export function Min(path: string): Aggregate<unknown> {
  return new Aggregate('min', path);
}
/** The largest value. */
export function Max(path: string): Aggregate<unknown> {
  return new Aggregate('max', path);
}

/** A reference to a field of the row, for updates (`{ views: F('views').plus(1) }`). */
export class FExpression {
  readonly path: string;
  readonly op: '+' | '-' | '*' | null;
  readonly operand: number;
  constructor(path: string, op: FExpression['op'] = null, operand = 0) {
    this.path = path;
    this.op = op;
    this.operand = operand;
  }
  plus(n: number): FExpression {
    return new FExpression(this.path, '+', n);
  }
  minus(n: number): FExpression {
    return new FExpression(this.path, '-', n);
  }
  times(n: number): FExpression {
    return new FExpression(this.path, '*', n);
  }
}
/** A reference to a field (Django's `F`). */
export function F(path: string): FExpression {
  return new FExpression(path);
}
