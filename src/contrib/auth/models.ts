/**
 * The `auth` app's models (`django/contrib/auth/models.py`), on Django's tables and
 * columns: `auth_permission`, `auth_group`, `auth_group_permissions`, `auth_user`,
 * `auth_user_groups`, `auth_user_user_permissions`.
 *
 * One difference from Django: there is no `contenttypes` app, so a permission names its
 * model by `app_label` and `model` columns instead of a `content_type_id`.
 *
 * @module
 */
import {
  BooleanField,
  CharField,
  DateTimeField,
  defineApp,
  EmailField,
  type Instance,
  ManyToManyField,
  type ModelClass,
} from '../../db/index.ts';

/** The `auth` app: add it to `installedApps`. */
export const authApp = defineApp('auth', { migrations: new URL('./migrations/', import.meta.url) });

/** Django's `UnicodeUsernameValidator`: letters, digits and `@ . + - _`. */
export function validateUsername(value: string): string | undefined {
  return /^[\p{L}\p{N}_.@+-]+$/u.test(value)
    ? undefined
    : 'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.';
}

/** A permission: `appLabel.codename` (`shop.change_product`), for one model. */
export const Permission = authApp.model('Permission', {
  fields: {
    name: CharField({ maxLength: 255 }),
    appLabel: CharField({ maxLength: 100 }),
    model: CharField({ maxLength: 100 }),
    codename: CharField({ maxLength: 100 }),
  },
  meta: {
    ordering: ['appLabel', 'model', 'codename'],
    uniqueTogether: [['appLabel', 'model', 'codename']],
  },
});

/** A group of users sharing permissions. */
export const Group = authApp.model('Group', {
  fields: {
    name: CharField({ maxLength: 150, unique: true }),
    permissions: ManyToManyField(Permission, { relatedName: 'groupSet' }),
  },
});

/** Django's default user (`auth.User`, `AbstractUser`). */
export const User = authApp.model('User', {
  fields: {
    password: CharField({ maxLength: 128 }),
    lastLogin: DateTimeField({ null: true, blank: true }),
    isSuperuser: BooleanField({ default: false }),
    username: CharField({ maxLength: 150, unique: true, validators: [validateUsername] }),
    firstName: CharField({ maxLength: 150, blank: true, default: '' }),
    lastName: CharField({ maxLength: 150, blank: true, default: '' }),
    email: EmailField({ blank: true, default: '' }),
    isStaff: BooleanField({ default: false }),
    isActive: BooleanField({ default: true }),
    dateJoined: DateTimeField({ default: () => new Date() }),
    groups: ManyToManyField(Group, { relatedName: 'userSet' }),
    userPermissions: ManyToManyField(Permission, { relatedName: 'userSet' }),
  },
});

/** The types of {@link User}'s declaration. */
export type UserTypes = NonNullable<(typeof User)['__types']>;
/** An instance of the default user model. */
export type DefaultUser = Instance<UserTypes>;
/** A permission row. */
export type PermissionInstance = Instance<NonNullable<(typeof Permission)['__types']>>;
/** A group row. */
export type GroupInstance = Instance<NonNullable<(typeof Group)['__types']>>;

/** What auth needs of any user model's instances (Django's `AbstractBaseUser`). */
export interface BaseUser {
  readonly pk: unknown;
  password: string;
  lastLogin: Date | null;
  isActive?: boolean;
  isSuperuser?: boolean;
  save(options?: { updateFields?: readonly string[] }): Promise<unknown>;
}

/** A model usable as the user model. */
export type UserModel = ModelClass & {
  /** The field that identifies a user at login (default `username`). */
  readonly USERNAME_FIELD?: string;
  /** The field holding the email address (default `email`). */
  readonly EMAIL_FIELD?: string;
  /** Fields `createsuperuser` asks for besides the username and password. */
  readonly REQUIRED_FIELDS?: readonly string[];
};

Object.defineProperties(User, {
  USERNAME_FIELD: { value: 'username' },
  EMAIL_FIELD: { value: 'email' },
  REQUIRED_FIELDS: { value: Object.freeze(['email']) },
});
