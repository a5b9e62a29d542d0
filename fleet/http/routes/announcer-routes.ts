import {
  AnnouncementListQuery,
  AnnouncementPageSchema,
  AnnouncerTemplateSchema,
  PreviewRequestSchema,
  PreviewResponseSchema,
  RenderRequestSchema,
  RenderResponseSchema,
  TemplateBody,
  TemplateListQuery,
  TemplatePageSchema,
  TemplateParams,
} from '../../../protocol/api/announcer.ts';
import { NoContent } from '../../../protocol/api/json-schema.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { Announcer } from '../../broadcast/announcer/announcer.ts';
import type { AnnouncerActor } from '../../broadcast/announcer/announcer-templates.ts';
import { audit, type HttpDeps, noContent, principal } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

/** The announcer; 404 when the fleet runs without it (no content library to store its audio). */
function announcerOf(deps: HttpDeps): Announcer {
  if (!deps.announcer) throw new FleetError('NOT_FOUND', 'the announcer is not running');
  return deps.announcer;
}

/**
 * The announcer (issue 9 item 2): templates, preview (nothing stored) and render (stored through the content
 * library). Reading needs `broadcast:read`; templates, previews and renders `content:write`. HQ's templates
 * (store null) are read by everyone and written by chain-wide roles; a store's by its people; one out of scope
 * answers 404 TEMPLATE_NOT_FOUND. Speech for HQ (store null) is made by chain-wide roles only.
 */
export function announcerRoutes(app: ApiApp, deps: HttpDeps): void {
  const actor = (req: Parameters<typeof principal>[0]): AnnouncerActor => {
    const p = principal(req);
    return { username: p.username, storeIds: p.storeIds };
  };

  app.get(
    '/api/announcer/templates',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags: ['announcer'],
        summary: "Announcer templates: HQ's and my stores' (storeId: that store's and HQ's), by id",
        querystring: TemplateListQuery,
        response: { 200: TemplatePageSchema },
      },
    },
    async (req) => announcerOf(deps).templates.list(actor(req), req.query),
  );

  app.get(
    '/api/announcer/templates/:id',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags: ['announcer'],
        summary: 'One template, with its languages and the fields it names',
        params: TemplateParams,
        response: { 200: AnnouncerTemplateSchema },
      },
    },
    async (req) => announcerOf(deps).templates.get(actor(req), req.params.id),
  );

  app.put(
    '/api/announcer/templates/:id',
    {
      config: { permission: 'content:write' },
      schema: {
        tags: ['announcer'],
        summary: 'Create or replace a template (400 TEMPLATE_FIELD_UNKNOWN names the language, field and position)',
        params: TemplateParams,
        body: TemplateBody,
        response: { 200: AnnouncerTemplateSchema },
      },
    },
    async (req) => {
      const { template, created, before } = await announcerOf(deps).templates.put(actor(req), req.params.id, req.body);
      audit(req, deps, {
        action: created ? 'announcer.template.create' : 'announcer.template.update',
        targetType: 'announcer-template',
        targetId: template.id,
        storeId: template.storeId,
        details: { before, after: template },
      });
      return template;
    },
  );

  app.delete(
    '/api/announcer/templates/:id',
    {
      config: { permission: 'content:write' },
      schema: {
        tags: ['announcer'],
        summary: 'Delete a template (the announcements made with it stay)',
        params: TemplateParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const template = await announcerOf(deps).templates.delete(actor(req), req.params.id);
      audit(req, deps, {
        action: 'announcer.template.delete',
        targetType: 'announcer-template',
        targetId: template.id,
        storeId: template.storeId,
        details: { before: template },
      });
      return noContent(reply);
    },
  );

  app.post(
    '/api/announcer/preview',
    {
      config: { permission: 'content:write' },
      schema: {
        tags: ['announcer'],
        summary:
          'The words and the audio (WAV or Ogg/Opus, base64) of a template or text with fields; nothing is stored',
        body: PreviewRequestSchema,
        response: { 200: PreviewResponseSchema },
      },
    },
    async (req) => {
      const started = performance.now();
      const { format = 'wav', ...request } = req.body;
      const announcer = announcerOf(deps);
      const speech = await announcer.speak(actor(req), request);
      const audio = await announcer.previewAudio(speech, format);
      return {
        text: speech.text,
        language: speech.language,
        durationMs: speech.durationMs,
        audio: { mimeType: audio.mimeType, base64: Buffer.from(audio.bytes).toString('base64') },
        elapsedMs: Math.round(performance.now() - started),
      };
    },
  );

  app.post(
    '/api/announcer/render',
    {
      config: { permission: 'content:write' },
      schema: {
        tags: ['announcer'],
        summary: 'Speak and store through the content library: the asset, what it says, and how long it took',
        body: RenderRequestSchema,
        response: { 200: RenderResponseSchema },
      },
    },
    async (req) => {
      const rendered = await announcerOf(deps).render(actor(req), req.body);
      const a = rendered.announcement;
      audit(req, deps, {
        action: 'announcer.render',
        targetType: 'asset',
        targetId: a.sha256,
        storeId: a.storeId,
        details: { text: a.text, language: a.language, templateId: a.templateId, fields: a.fields },
      });
      return rendered;
    },
  );

  app.get(
    '/api/announcer/announcements',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags: ['announcer'],
        summary: 'What the announcer made, newest first: the asset (sha256), its words, template and fields',
        querystring: AnnouncementListQuery,
        response: { 200: AnnouncementPageSchema },
      },
    },
    async (req) => announcerOf(deps).listAnnouncements(actor(req), req.query),
  );
}
