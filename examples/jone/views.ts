/**
 * The seed's `JoneProject` view: creates an organization (if new), a project, its members
 * and a client key in one transaction, and answers with the key's DSN.
 */
import { APIView, Conflict, type PermissionClass, type Request, Response } from '../../src/api/index.ts';
import { atomic, IntegrityError } from '../../src/db/index.ts';
import { dsnOf, newKeyPair, Organization, Project, ProjectKey, ProjectMember } from './models.ts';
import { RpcPermission } from './permissions.ts';
import { JoneProjectSerializer } from './serializers.ts';

/** The input of {@link createProject}: the serializer's validated data. */
export type NewProject = {
  project_slug: string;
  organization_slug: string;
  platform: string;
  members: ReadonlyArray<{ email: string; erp: string }>;
};

function slugTaken(slug: string): Conflict {
  return new Conflict(`A project with the slug '${slug}' already exists.`, { code: 'project_slug_taken' });
}

/**
 * The seed's `valid_project` + `create_project` + `get_project_key`, atomically: either
 * every row is written or none is. A slug taken — seen before the insert, or by the
 * database's unique index when another request got there first — is a 409.
 */
export async function createProject(data: NewProject) {
  try {
    return await atomic(async () => {
      if (await Project.objects.filter({ slug: data.project_slug }).exists())
        throw slugTaken(data.project_slug);
      const [organization] = await Organization.objects.getOrCreate(
        { slug: data.organization_slug },
        { name: data.organization_slug },
      );
      const project = await Project.objects.create({
        organization,
        name: data.project_slug,
        slug: data.project_slug,
        platform: data.platform,
      });
      await ProjectMember.objects.bulkCreate(
        data.members.map((m) => ({ project, email: m.email, erp: m.erp })),
      );
      const key = await ProjectKey.objects.create({ project, ...newKeyPair() });
      return { organization, project, key };
    });
  } catch (error) {
    if (
      error instanceof IntegrityError &&
      (await Project.objects.filter({ slug: data.project_slug }).exists())
    )
      throw slugTaken(data.project_slug);
    throw error;
  }
}

/** `POST /api/jd/jone/project/` (`create-new-project`). */
export class JoneProject extends APIView {
  // A service-to-service call: no user, no session (and so no CSRF); the secret decides.
  // With no authenticators, a refusal is a plain 403 with the permission's message.
  override authenticationClasses = [];
  override permissionClasses: PermissionClass[] = [RpcPermission];
  override description = 'Creates a project (and its organization, members and key); answers its DSN.';

  async post(request: Request) {
    const serializer = new JoneProjectSerializer({ data: request.data });
    await serializer.isValid({ raiseException: true });
    const { project, key } = await createProject(serializer.validatedData);
    return new Response(
      { dsn: dsnOf(key, request.buildAbsoluteUri('/')), project_id: project.id, project_slug: project.slug },
      { status: 201 },
    );
  }
}
