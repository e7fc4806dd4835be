/**
 * OpenAPI 3.1 documents generated from the project's routes, views and serializers, and
 * the views serving them (`portico/api` re-exports this).
 *
 * @module
 */
export {
  type Endpoint,
  SchemaGenerator,
  type SchemaGeneratorOptions,
  securitySchemeOf,
} from './generator.ts';
export { OPENAPI_VERSION, type OpenAPIDocument, type OpenAPIOperation, type SchemaObject } from './types.ts';
export {
  getSchemaView,
  SchemaView,
  type SchemaViewOptions,
  type SwaggerUiOptions,
  swaggerUiUrls,
} from './views.ts';
