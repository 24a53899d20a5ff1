/**
 * A named fixture: a province regulator, an inspector and two institutions (A and B), each with an
 * admin, a handler and an approver, both applied and approved (on the given chain), all signed in.
 */
import { expect } from "chai";
import { signIn, strongPassword, type ApiClient, type OnboardingApp } from "../../accounts/support/onboarding-app.js";
import { anApplication, anInstitutionCode } from "./applications.js";

export interface InstitutionStaff {
  creditCode: string;
  admin: ApiClient;
  handler: ApiClient;
  approver: ApiClient;
  accountIds: { admin: string; handler: string; approver: string };
}

export interface World {
  regulator: ApiClient;
  inspector: ApiClient;
  a: InstitutionStaff;
  b: InstitutionStaff;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 6)}`;

export async function createAccount(
  app: OnboardingApp,
  creator: ApiClient,
  fields: Record<string, unknown>,
): Promise<{ client: ApiClient; id: string; username: string; password: string }> {
  const username = unique(String(fields.role).replace(/_/g, "-"));
  const password = strongPassword();
  const created = await creator.post<{ account: { id: string } }>("/api/accounts", {
    username,
    displayName: "测试账号",
    password,
    ...fields,
  });
  expect(created.status, created.text).to.equal(201);
  return { client: await signIn(app.baseUrl, username, password), id: created.body.account.id, username, password };
}

/** An institution admin (created by the regulator) whose application is submitted, optionally approved. */
export async function anInstitution(app: OnboardingApp, regulator: ApiClient, options: { approve: boolean }): Promise<InstitutionStaff> {
  const admin = await createAccount(app, regulator, { role: "institution_admin" });
  const application = anApplication({ name: `${unique("成都市评价中心")}` });
  const submitted = await admin.client.post("/api/institutions/applications", application);
  expect(submitted.status, submitted.text).to.equal(201);
  // The binding is read per request, so the same session now acts for the institution.
  if (options.approve) {
    const approved = await regulator.post(`/api/institutions/${application.creditCode}/approve`, {
      institutionCode: anInstitutionCode(),
      provinceCode: "51",
    });
    expect(approved.status, approved.text).to.equal(200);
  }
  const handler = await createAccount(app, admin.client, { role: "institution_handler" });
  const approver = await createAccount(app, admin.client, { role: "institution_approver" });
  return {
    creditCode: application.creditCode,
    admin: admin.client,
    handler: handler.client,
    approver: approver.client,
    accountIds: { admin: admin.id, handler: handler.id, approver: approver.id },
  };
}

export async function createWorld(app: OnboardingApp): Promise<World> {
  const password = strongPassword();
  const regulatorName = unique("regulator");
  await app.bootstrapRegulator(regulatorName, password);
  const regulator = await signIn(app.baseUrl, regulatorName, password);
  const inspector = (await createAccount(app, regulator, { role: "inspector", regulatorLevel: "province" })).client;
  const a = await anInstitution(app, regulator, { approve: true });
  const b = await anInstitution(app, regulator, { approve: true });
  return { regulator, inspector, a, b };
}
