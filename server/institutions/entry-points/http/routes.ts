/**
 * HTTP endpoints of institution onboarding and supervision, and the public list (公示). Routes
 * stay thin: zod at the edge, one use case, a view. See server/institutions/README.md.
 */
import { Router, type Request, type RequestHandler } from "express";
import { noStore, parseRequest, principalFrom, requireRole } from "../../../accounts/index.js";
import type { InstitutionOnboarding } from "../../domain/onboarding.js";
import { institutionEventView, institutionView, publicInstitutionView } from "../../domain/views.js";
import { institutionNotFound } from "../../errors.js";
import {
  applicationBody,
  applicationListQuery,
  approvalBody,
  creditCodeParameter,
  institutionListQuery,
  reinstatementBody,
  rejectionBody,
  supervisionBody,
} from "./schemas.js";

export interface InstitutionsRouterDependencies {
  onboarding: InstitutionOnboarding;
  /** From server/accounts: sets res.locals.principal or answers 401. */
  authenticate: RequestHandler;
}

function creditCodeFrom(request: Request): string {
  const result = creditCodeParameter.safeParse(request.params.creditCode);
  if (!result.success) throw institutionNotFound();
  return result.data;
}

/** /api/institutions/* (mount under /api). */
export function institutionsRouter(deps: InstitutionsRouterDependencies): Router {
  const { onboarding } = deps;
  const router = Router();
  const signedIn = [noStore, deps.authenticate];
  const regulator = requireRole("regulator");

  router.post("/institutions/applications", ...signedIn, requireRole("institution_admin"), async (request, response) => {
    const body = parseRequest(applicationBody, request.body);
    const institution = await onboarding.submitApplication(principalFrom(response), body);
    response.status(201).json({ institution: institutionView(institution) });
  });

  router.get("/institutions/applications", ...signedIn, async (request, response) => {
    const query = parseRequest(applicationListQuery, request.query);
    const institutions = await onboarding.listInstitutions(principalFrom(response), query.status ?? ["applied"]);
    response.json({ institutions: institutions.map(institutionView) });
  });

  router.get("/institutions", ...signedIn, async (request, response) => {
    const query = parseRequest(institutionListQuery, request.query);
    const institutions = await onboarding.listInstitutions(principalFrom(response), query.status);
    response.json({ institutions: institutions.map(institutionView) });
  });

  router.get("/institutions/:creditCode", ...signedIn, async (request, response) => {
    const institution = await onboarding.getInstitution(principalFrom(response), creditCodeFrom(request));
    response.json({ institution: institutionView(institution) });
  });

  router.get("/institutions/:creditCode/seal", ...signedIn, async (request, response) => {
    const seal = await onboarding.getSeal(principalFrom(response), creditCodeFrom(request));
    response.set({ "Content-Type": "image/png", "X-Content-Type-Options": "nosniff", "Content-Disposition": "inline" });
    response.send(Buffer.from(seal));
  });

  router.get("/institutions/:creditCode/events", ...signedIn, async (request, response) => {
    const events = await onboarding.listEvents(principalFrom(response), creditCodeFrom(request));
    response.json({ events: events.map(institutionEventView) });
  });

  router.post("/institutions/:creditCode/approve", ...signedIn, regulator, async (request, response) => {
    const creditCode = creditCodeFrom(request);
    const body = parseRequest(approvalBody, request.body);
    response.json({ institution: institutionView(await onboarding.approve(principalFrom(response), creditCode, body)) });
  });

  router.post("/institutions/:creditCode/reject", ...signedIn, regulator, async (request, response) => {
    const creditCode = creditCodeFrom(request);
    const body = parseRequest(rejectionBody, request.body);
    response.json({ institution: institutionView(await onboarding.reject(principalFrom(response), creditCode, body)) });
  });

  router.post("/institutions/:creditCode/suspend", ...signedIn, regulator, async (request, response) => {
    const creditCode = creditCodeFrom(request);
    const body = parseRequest(supervisionBody, request.body);
    response.json({ institution: institutionView(await onboarding.suspend(principalFrom(response), creditCode, body)) });
  });

  router.post("/institutions/:creditCode/reinstate", ...signedIn, regulator, async (request, response) => {
    const creditCode = creditCodeFrom(request);
    const body = parseRequest(reinstatementBody, request.body ?? {});
    response.json({ institution: institutionView(await onboarding.reinstate(principalFrom(response), creditCode, body)) });
  });

  router.post("/institutions/:creditCode/revoke", ...signedIn, regulator, async (request, response) => {
    const creditCode = creditCodeFrom(request);
    const body = parseRequest(supervisionBody, request.body);
    response.json({ institution: institutionView(await onboarding.revoke(principalFrom(response), creditCode, body)) });
  });

  return router;
}

/** /api/public/institutions[/:creditCode] — no sign-in (mount under /api). */
export function publicInstitutionsRouter(deps: { onboarding: InstitutionOnboarding }): Router {
  const router = Router();
  router.get("/public/institutions", async (_request, response) => {
    const institutions = await deps.onboarding.listPublic();
    response.set("Cache-Control", "public, max-age=60");
    response.json({ institutions: institutions.map(publicInstitutionView) });
  });
  router.get("/public/institutions/:creditCode", async (request, response) => {
    const institution = await deps.onboarding.getPublic(creditCodeFrom(request));
    response.set("Cache-Control", "public, max-age=60");
    response.json({ institution: publicInstitutionView(institution) });
  });
  return router;
}
