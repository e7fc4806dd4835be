/**
 * Permissions (DRF's `permissions.py`): after authentication, every permission of the view
 * must allow the request (`hasPermission`), and every object a view fetches must pass
 * `hasObjectPermission` (the view calls `checkObjectPermissions(request, obj)`). They
 * compose like DRF's `&`, `|` and `~`: `and(IsAuthenticated, IsAdminUser)`,
 * `or(IsAdminUser, ReadOnly)`, `not(IsAuthenticated)`.
 *
 * @module
 */
import type { MaybePromise } from '../web/index.ts';
import type { Request } from './request.ts';

/** The methods that only read (`IsAuthenticatedOrReadOnly` lets anyone use them). */
export const SAFE_METHODS: readonly string[] = Object.freeze(['GET', 'HEAD', 'OPTIONS']);

/** The view a permission is asked about (any object; `APIView` instances in practice). */
export type PermissionView = object;

/** A permission: both checks default to allowing. */
export interface Permission {
  hasPermission(request: Request, view: PermissionView): MaybePromise<boolean>;
  hasObjectPermission(request: Request, view: PermissionView, obj: unknown): MaybePromise<boolean>;
  /** The detail of the 403 when this permission refuses. */
  readonly message?: string;
  /** The code of that detail. */
  readonly code?: string;
}

/** A permission class, as views and settings list them. */
export type PermissionClass = new () => Permission;

/** Allows everything; subclass it and override what you check. */
export class BasePermission implements Permission {
  hasPermission(_request: Request, _view: PermissionView): MaybePromise<boolean> {
    return true;
  }

  hasObjectPermission(_request: Request, _view: PermissionView, _obj: unknown): MaybePromise<boolean> {
    return true;
  }
}

/** Anyone. */
export class AllowAny extends BasePermission {}

/** Only authenticated users. */
export class IsAuthenticated extends BasePermission {
  override hasPermission(request: Request, _view?: PermissionView): MaybePromise<boolean> {
    return request.user.isAuthenticated === true;
  }
}

/** Only staff users (`user.isStaff`). */
export class IsAdminUser extends BasePermission {
  override hasPermission(request: Request, _view?: PermissionView): MaybePromise<boolean> {
    return request.user.isStaff === true;
  }
}

/** Anyone may read (GET, HEAD, OPTIONS); only authenticated users may write. */
export class IsAuthenticatedOrReadOnly extends BasePermission {
  override hasPermission(request: Request, _view?: PermissionView): MaybePromise<boolean> {
    return SAFE_METHODS.includes(request.method) || request.user.isAuthenticated === true;
  }
}

/** Composes permissions; its message is the refusing operand's, when it has one. */
abstract class Composite implements Permission {
  message?: string;
  code?: string;
  protected readonly operands: Permission[];

  constructor(classes: readonly PermissionClass[]) {
    this.operands = classes.map((Cls) => new Cls());
  }

  protected refusedBy(permission: Permission): false {
    if (permission.message !== undefined) this.message = permission.message;
    if (permission.code !== undefined) this.code = permission.code;
    return false;
  }

  abstract hasPermission(request: Request, view: PermissionView): Promise<boolean>;
  abstract hasObjectPermission(request: Request, view: PermissionView, obj: unknown): Promise<boolean>;
}

/** A permission class that allows only when every one of `classes` does (DRF's `A & B`). */
export function and(...classes: PermissionClass[]): PermissionClass {
  return class And extends Composite {
    constructor() {
      super(classes);
    }

    async hasPermission(request: Request, view: PermissionView): Promise<boolean> {
      for (const p of this.operands) if (!(await p.hasPermission(request, view))) return this.refusedBy(p);
      return true;
    }

    async hasObjectPermission(request: Request, view: PermissionView, obj: unknown): Promise<boolean> {
      for (const p of this.operands)
        if (!(await p.hasObjectPermission(request, view, obj))) return this.refusedBy(p);
      return true;
    }
  };
}

/**
 * A permission class that allows when any one of `classes` does (DRF's `A | B`). For an
 * object, one operand must allow both the request and the object, so `or(IsAdminUser,
 * IsOwner)` does not let a non-owner through because IsOwner's request check passed.
 */
export function or(...classes: PermissionClass[]): PermissionClass {
  return class Or extends Composite {
    constructor() {
      super(classes);
    }

    async hasPermission(request: Request, view: PermissionView): Promise<boolean> {
      for (const p of this.operands) if (await p.hasPermission(request, view)) return true;
      const last = this.operands.at(-1);
      return last === undefined ? false : this.refusedBy(last);
    }

    async hasObjectPermission(request: Request, view: PermissionView, obj: unknown): Promise<boolean> {
      for (const p of this.operands) {
        if ((await p.hasPermission(request, view)) && (await p.hasObjectPermission(request, view, obj)))
          return true;
      }
      const last = this.operands.at(-1);
      return last === undefined ? false : this.refusedBy(last);
    }
  };
}

/** A permission class that allows what `cls` refuses (DRF's `~A`). */
export function not(cls: PermissionClass): PermissionClass {
  return class Not extends Composite {
    constructor() {
      super([cls]);
    }

    async hasPermission(request: Request, view: PermissionView): Promise<boolean> {
      return !(await (this.operands[0] as Permission).hasPermission(request, view));
    }

    async hasObjectPermission(request: Request, view: PermissionView, obj: unknown): Promise<boolean> {
      return !(await (this.operands[0] as Permission).hasObjectPermission(request, view, obj));
    }
  };
}
