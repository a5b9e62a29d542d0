import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../../api/api-client.ts';
import type { Announcement, AnnouncerLanguage, AnnouncerTemplate, Me, Page } from '../../api/types.ts';
import { relativeTime } from '../../app/format.ts';
import { setQuery } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { storeName } from '../../app/stores-cache.ts';
import { useResource } from '../../app/use-resource.ts';
import { Icon } from '../../components/icons.tsx';
import { Empty, Loading, PageHeader } from '../../components/page-state.tsx';
import { BroadcastNav } from './broadcast-nav.tsx';
import { useBroadcastStore } from './broadcast-store.ts';
import { fieldsOf } from './speech-fields.ts';
import { SpeechPanel } from './speech-panel.tsx';
import { draftOf, type TemplateDraft, TemplateEditor } from './template-editor.tsx';

/** Whether this user may change the template, as the server decides: HQ's are HQ's, a store's its people's. */
function canEditTemplate(me: Me, t: AnnouncerTemplate | null): boolean {
  if (!can(me, 'content:write')) return false;
  if (!t || me.storeIds === null) return true;
  return t.storeId !== null && me.storeIds.includes(t.storeId);
}

/**
 * The announcer (issue 9 item 2): templates with fields in Chinese and English, a preview that plays before anything
 * is saved, and "save as asset" into the content library, ready to schedule or insert.
 */
export function AnnouncerPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const { stores, storeId } = useBroadcastStore(query);
  const selected = query.get('template');
  const templates = useResource(() => api.get<Page<AnnouncerTemplate>>('/api/announcer/templates', { limit: 200 }), []);
  const made = useResource(() => api.get<Page<Announcement>>('/api/announcer/announcements', { limit: 10 }), []);
  const current = templates.data?.items.find((t) => t.id === selected) ?? null;
  const defaultStore = me.storeIds === null ? null : storeId;
  const [draft, setDraft] = useState<TemplateDraft>(() => draftOf(current, defaultStore));
  // The draft is made again when another template (or a newer save of it) is shown, not on every render that comes
  // after it: effects run after the next frame, and what was typed by then would be lost. "New" makes its own draft.
  const shownKey = current ? `${current.id}@${current.updatedAt}` : 'new';
  const draftFor = useRef(shownKey);
  useEffect(() => {
    if (draftFor.current === shownKey) return;
    draftFor.current = shownKey;
    setDraft(draftOf(current, defaultStore));
  }, [shownKey]);
  // A store manager's new template belongs to their store, known once the stores have loaded.
  useEffect(() => {
    if (!current && defaultStore)
      setDraft((d) => (d.id === null && d.storeId === null ? { ...d, storeId: defaultStore } : d));
  }, [defaultStore, current === null]);

  const dirty = useMemo(() => {
    const saved = draftOf(current, defaultStore);
    return JSON.stringify(saved) !== JSON.stringify(draft);
  }, [draft, current]);
  const languages = (['zh', 'en'] as AnnouncerLanguage[]).filter((l) => draft[l].trim());
  const editable = canEditTemplate(me, current);

  return (
    <div class="page broadcast" data-testid="announcer-page">
      <PageHeader
        title="Announcer"
        subtitle="Templates read aloud in Chinese and English, offline; preview, then save as an asset"
      />
      <BroadcastNav me={me} active="announcer" storeId={storeId ?? undefined} />
      <div class="announcer-layout">
        <section class="panel panel-flush template-list" data-testid="template-list">
          <header class="panel-header">
            <h2>Templates</h2>
            {can(me, 'content:write') ? (
              <button
                type="button"
                class="btn btn-small"
                onClick={() => {
                  draftFor.current = 'new';
                  setQuery({ template: null });
                  setDraft(draftOf(null, defaultStore));
                }}
                data-testid="template-new"
              >
                <Icon name="plus" size={14} /> New
              </button>
            ) : null}
          </header>
          {!templates.data ? (
            <Loading />
          ) : templates.data.items.length === 0 ? (
            <Empty>No templates yet.</Empty>
          ) : (
            <ul class="plain-list">
              {templates.data.items.map((t) => (
                <li key={t.id}>
                  <a
                    href={`/broadcast/announcer?template=${encodeURIComponent(t.id)}`}
                    class={`template-item ${t.id === selected ? 'active' : ''}`}
                    data-testid="template-item"
                    data-id={t.id}
                  >
                    <strong>{t.name}</strong>
                    <span class="muted small">
                      {t.storeId ? storeName(stores, t.storeId) : 'HQ'} · {t.languages.join(' + ')}
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          )}
        </section>
        <div class="announcer-main">
          <section class="panel">
            <header class="panel-header">
              <h2>{current ? current.name : 'New template'}</h2>
              {dirty ? <span class="badge badge-warn">Unsaved changes</span> : null}
            </header>
            <TemplateEditor
              me={me}
              stores={stores}
              draft={draft}
              onChange={setDraft}
              readOnly={!editable}
              onSaved={(t) => {
                templates.reload();
                setQuery({ template: t.id });
              }}
            />
          </section>
          {can(me, 'content:write') && languages.length ? (
            <section class="panel">
              <header class="panel-header">
                <h2>Speak it</h2>
                <span class="muted small">
                  {current && !dirty ? 'The saved template' : 'The texts above, as they are now'}
                </span>
              </header>
              <SpeechPanel
                source={current && !dirty ? { templateId: current.id } : { texts: { zh: draft.zh, en: draft.en } }}
                languages={languages}
                fields={fieldsOf(draft.zh, draft.en)}
                defaults={draft.defaults}
                storeId={draft.storeId ?? (me.storeIds === null ? null : storeId)}
                onRendered={() => made.reload()}
              />
            </section>
          ) : null}
          <section class="panel panel-flush">
            <header class="panel-header">
              <h2>Recently made</h2>
              <a class="btn btn-small" href="/broadcast/content?origin=announcer">
                Library
              </a>
            </header>
            {made.data?.items.length ? (
              <ul class="plain-list announcement-list" data-testid="announcements">
                {made.data.items.map((a) => (
                  <li key={a.id} data-testid="announcement" data-sha256={a.sha256}>
                    <strong>{a.title}</strong>
                    <span class="muted small">
                      {' '}
                      · {(a.durationMs / 1000).toFixed(1)} s · {a.integratedLufs.toFixed(1)} LUFS ·{' '}
                      {relativeTime(a.createdAt)}
                    </span>
                    <div class="small" lang={a.language === 'zh' ? 'zh-CN' : 'en'}>
                      {a.text}
                    </div>
                  </li>
                ))}
              </ul>
            ) : (
              <div class="pad muted">Nothing yet.</div>
            )}
          </section>
        </div>
      </div>
    </div>
  );
}
