/**
 * Generic viewsets (DRF's `GenericViewSet`, `ModelViewSet`, `ReadOnlyModelViewSet`): the
 * generic behaviour of `GenericAPIView` on a `ViewSet`, with the model actions mixed in.
 * A router gives them `{basename}-list` and `{basename}-detail` routes.
 *
 * @module
 */
import { NoReverseMatch } from '../web/index.ts';
import {
  CreateModelMixin,
  DestroyModelMixin,
  Generic,
  ListModelMixin,
  RetrieveModelMixin,
  UpdateModelMixin,
} from './generics.ts';
import { ViewSet } from './viewsets.ts';

/**
 * A viewset with the generic behaviour (`queryset`, `serializerClass`, `getObject`,
 * filtering, pagination) and no actions: mix in the ones you want.
 */
export class GenericViewSet extends Generic(ViewSet) {
  /**
   * The absolute URL of `obj`'s `{basename}-detail` route, or null when this viewset has
   * none (for the `Location` of a 201).
   */
  detailUrlOf(obj: unknown): string | null {
    if (this.basename === null || obj === null || typeof obj !== 'object') return null;
    const value = (obj as Record<string, unknown>)[this.lookupField];
    if (value === undefined || value === null) return null;
    try {
      const url = this.reverseAction('detail', { [this.lookupUrlKwarg ?? this.lookupField]: value as never });
      return this.apiRequest.buildAbsoluteUri(url);
    } catch (error) {
      if (error instanceof NoReverseMatch) return null;
      throw error;
    }
  }
}

/** `list` and `retrieve` over a queryset. */
export class ReadOnlyModelViewSet extends RetrieveModelMixin(ListModelMixin(GenericViewSet)) {}

/** Every model action: `list`, `create`, `retrieve`, `update`, `partialUpdate`, `destroy`. */
export class ModelViewSet extends DestroyModelMixin(
  UpdateModelMixin(RetrieveModelMixin(CreateModelMixin(ListModelMixin(GenericViewSet)))),
) {}
