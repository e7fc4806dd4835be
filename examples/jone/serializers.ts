/** The seed's `JoneProjectSerializer` and its `MembersSerializer`, field for field. */
import { CharField, EmailField, Serializer, ValidationError } from '../../src/api/index.ts';

/** One member of the new project: an e-mail address and the company account (`erp`). */
export class MembersSerializer extends Serializer.of({
  email: EmailField({ maxLength: 254 }),
  erp: CharField({ minLength: 1, maxLength: 64 }),
}) {}

/** The body of `POST /api/jd/jone/project/`. */
export class JoneProjectSerializer extends Serializer.of({
  project_slug: CharField({ minLength: 1, maxLength: 200 }),
  organization_slug: CharField({ minLength: 1, maxLength: 200 }),
  platform: CharField({ required: false, default: 'java', maxLength: 64 }),
  members: MembersSerializer.asField({ many: true }),
}) {
  /** At least one member, and each address once (the table keeps one row per address). */
  validateMembers(members: ReadonlyArray<{ email: string; erp: string }>) {
    if (members.length === 0) throw new ValidationError('This list may not be empty.', { code: 'empty' });
    const seen = new Set<string>();
    for (const member of members) {
      const email = member.email.toLowerCase();
      if (seen.has(email))
        throw new ValidationError(`The member ${member.email} is listed twice.`, { code: 'duplicate' });
      seen.add(email);
    }
    return members;
  }
}
