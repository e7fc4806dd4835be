/**
 * Django's `django.shortcuts` for models: {@link getObjectOr404}. (The web layer cannot
 * import models, so the shortcut that joins a queryset to a 404 lives here.)
 *
 * @module
 */
import { Http404 } from '../web/index.ts';
import type { ModelTypes } from './models.ts';
import type { QNode } from './expressions.ts';
import type { QuerySet, Where } from './query.ts';

/**
 * The one row `queryset.get(...conditions)` finds, or an `Http404` (the view answers 404)
 * when there is none. `MultipleObjectsReturned` still propagates, as in Django.
 *
 * @example
 * ```ts fragment
 * const detail = async (_request: HttpRequest, { id }: { id: number }) => {
 *   const item = await getObjectOr404(Item.objects, { id });
 *   return new JsonResponse({ id: item.id, name: item.name });
 * };
 * ```
 */
export async function getObjectOr404<D extends ModelTypes, R, A extends string>(
  queryset: QuerySet<D, R, A>,
  ...conditions: ReadonlyArray<Where<D['fields'], A> | QNode>
): Promise<R> {
  try {
    return await queryset.get(...conditions);
  } catch (error) {
    if (error instanceof queryset.model.DoesNotExist)
      throw new Http404(`No ${queryset.model.meta.modelName} matches the given query.`);
    throw error;
  }
}
