/**
 * The types a serializer's declaration gives: the validated data (writable fields, keyed
 * by their `source`, optional when not required and without a default) and `data`
 * (every field but the write-only ones, as represented).
 *
 * @module
 */
import type { AnyField } from './composite.ts';

/** A serializer's declared fields. */
export type FieldMap = Readonly<Record<string, AnyField>>;

type Flags<Fd> = Fd extends { readonly __flags: infer F } ? F : never;
type IsReadOnly<Fd> = Flags<Fd> extends { readonly readOnly: true } ? true : false;
type IsWriteOnly<Fd> = Flags<Fd> extends { readonly writeOnly: true } ? true : false;
type IsOptional<Fd> = Flags<Fd> extends { readonly optional: true } ? true : false;
type SourceKey<K, Fd> = Flags<Fd> extends { readonly source: infer S extends string } ? S : K;

/** Flattens an intersection for readable hovers. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The validated data of fields `F`. */
export type ValidatedOf<F> = Simplify<
  {
    -readonly [
      K in keyof F as IsReadOnly<F[K]> extends true
        ? never
        : IsOptional<F[K]> extends true
          ? never
          : SourceKey<K, F[K]>
    ]: F[K] extends { readonly __value: infer T } ? T : never;
  } & {
    -readonly [
      K in keyof F as IsReadOnly<F[K]> extends true
        ? never
        : IsOptional<F[K]> extends true
          ? SourceKey<K, F[K]>
          : never
    ]?: F[K] extends { readonly __value: infer T } ? T : never;
  }
>;

/** The `data` of fields `F`. */
export type DataOf<F> = Simplify<{
  -readonly [K in keyof F as IsWriteOnly<F[K]> extends true ? never : K]: F[K] extends {
    readonly __repr: infer R;
  }
    ? R
    : never;
}>;
