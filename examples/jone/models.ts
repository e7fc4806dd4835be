/**
 * The seed's Sentry-derived models, trimmed to what creating a project needs: an
 * organization owns projects; a project has members (an e-mail and the company's `erp`
 * account name) and client keys whose public half goes into the DSN an SDK is configured
 * with (Sentry's `ProjectKey`).
 */
import { randomBytes } from 'node:crypto';
import {
  CASCADE,
  CharField,
  DateTimeField,
  defineApp,
  EmailField,
  ForeignKey,
  type Instance,
} from '../../src/db/index.ts';

export const joneApp = defineApp('jone', { migrations: new URL('./migrations/', import.meta.url) });

export const Organization = joneApp.model('Organization', {
  fields: {
    name: CharField({ maxLength: 200 }),
    // The API accepts slugs of 1–200 characters; unique, so concurrent creations of one
    // organization meet at the database (getOrCreate retries the read).
    slug: CharField({ maxLength: 200, unique: true }),
    dateAdded: DateTimeField({ autoNowAdd: true }),
  },
});

export const Project = joneApp.model('Project', {
  fields: {
    organization: ForeignKey(Organization, { onDelete: CASCADE }),
    name: CharField({ maxLength: 200 }),
    // Unique across organizations, as the seed's `valid_project(slug)` checks: the
    // database refuses the second of two concurrent creations too (a 409, not a 500).
    slug: CharField({ maxLength: 200, unique: true }),
    platform: CharField({ maxLength: 64, default: 'java' }),
    dateAdded: DateTimeField({ autoNowAdd: true }),
  },
});

export const ProjectMember = joneApp.model('ProjectMember', {
  fields: {
    project: ForeignKey(Project, { onDelete: CASCADE }),
    email: EmailField({ maxLength: 254 }),
    erp: CharField({ maxLength: 64 }),
  },
  meta: { uniqueTogether: [['project', 'email']] },
});

export const ProjectKey = joneApp.model('ProjectKey', {
  fields: {
    project: ForeignKey(Project, { onDelete: CASCADE }),
    label: CharField({ maxLength: 64, blank: true, default: 'Default' }),
    // 32 hexadecimal characters each, as Sentry's `uuid4().hex`.
    publicKey: CharField({ maxLength: 32, unique: true }),
    secretKey: CharField({ maxLength: 32, unique: true }),
    dateAdded: DateTimeField({ autoNowAdd: true }),
  },
});

/** A new key pair: 128 random bits each, in hexadecimal. */
export function newKeyPair(): { publicKey: string; secretKey: string } {
  return { publicKey: randomBytes(16).toString('hex'), secretKey: randomBytes(16).toString('hex') };
}

/**
 * The key as Sentry's DSN (`{scheme}://{public_key}@{host}/{project_id}`, the form SDKs
 * accept since Sentry 9: the secret half stays on the server). `base` is the server's
 * origin, `http://127.0.0.1:9000`.
 */
export function dsnOf(
  key: Pick<Instance<NonNullable<(typeof ProjectKey)['__types']>>, 'publicKey' | 'projectId'>,
  base: string,
): string {
  const url = new URL(base);
  return `${url.protocol}//${key.publicKey}@${url.host}/${key.projectId}`;
}
