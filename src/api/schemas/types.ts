/**
 * The shapes of an OpenAPI 3.1 document, as far as the generator writes them (loose where
 * JSON Schema is: a schema object is any JSON object).
 *
 * @module
 */

/** The OpenAPI version the generator writes. */
export const OPENAPI_VERSION = '3.1.0';

/** A JSON Schema (draft 2020-12) or another OpenAPI object: JSON. */
export type SchemaObject = Record<string, unknown>;

/** One operation (a method of a path). */
export interface OpenAPIOperation {
  operationId: string;
  tags: string[];
  description?: string;
  parameters?: SchemaObject[];
  requestBody?: SchemaObject;
  responses: Record<string, SchemaObject>;
  security?: Array<Record<string, string[]>>;
}

/** The document. */
export interface OpenAPIDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: Array<{ url: string; description?: string }>;
  paths: Record<string, Record<string, OpenAPIOperation>>;
  components: { schemas: Record<string, SchemaObject>; securitySchemes: Record<string, SchemaObject> };
}
